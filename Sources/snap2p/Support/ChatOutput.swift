import Foundation
import SNaP2P

/// Where a chat shows what happens, in one of three forms:
/// - interactive (both standard input and output are terminals that can redraw a line): everything on the terminal,
///   coloured, messages printed above a prompt line the user edits;
/// - plain (a pipe on either side): received lines go to standard output as they are, with
///   nothing added, and notices go to standard error, so `snap2p chat ... > log` keeps just the text;
/// - `--json`: one event object per line on standard output.
final class ChatOutput: Sendable {
    enum Form: Sendable {
        case interactive(PromptScreen)
        case plain
        case json
    }

    let form: Form
    /// The colours of where notices go: the terminal (interactive) or standard error (plain).
    private let style: TextStyle

    init(form: Form) {
        self.form = form
        if case .interactive = form {
            style = .standardOutput
        } else {
            style = .standardError
        }
    }

    /// The interactive form when both ends are terminals, else plain (or JSON when asked for).
    static func make(json: Bool) -> ChatOutput {
        if json { return ChatOutput(form: .json) }
        guard TerminalInput.isInteractive, isatty(STDOUT_FILENO) == 1, RawTerminalMode.canRedraw else {
            return ChatOutput(form: .plain)
        }
        let style = TextStyle.standardOutput
        let prompt = style.bold(style.green(Self.ownName)) + style.dim(" › ")
        return ChatOutput(form: .interactive(PromptScreen(
            prompt: prompt, promptColumns: TerminalWidth.columns(Self.ownName + " › "),
            maximumLineBytes: ChatLineSplitter.defaultMaximumLineBytes)))
    }

    private static let ownName = "you"

    // MARK: Before the chat

    func connecting(to address: String, as principal: Principal) {
        notice("Connecting to \(style.bold(address)) as \(style.cyan(principal.description))...")
    }

    /// The listener is ready: where, as whom, and the command the other side runs.
    func ready(host: String, port: Int, principal: Principal, token: String?, testnet: Bool) {
        if case .json = form {
            var event = PeerEvent("ready")
            event.principal = principal.description
            event.host = host
            event.port = port
            event.token = token
            event.print()
            return
        }
        notice("Listening on \(style.bold("\(host):\(port)")) as \(style.cyan(principal.description))")
        if let token { notice("Invite token: \(style.yellow(token))") }
        let dialHost = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : (host.contains(":") ? "[\(host)]" : host)
        var command = "\(Invocation.name) chat \(dialHost):\(port)"
        if let token { command += " --token \(token)" }
        if testnet { command += " --testnet" }
        notice(style.dim("Waiting for one peer. From another terminal: ") + command)
    }

    func connected(_ connection: Connection, from remoteAddress: String?, handshakeTime: Duration?) {
        let remote = connection.remotePrincipal
        let relayed = PeerEvent.relayed(connection)
        if case .json = form {
            var event = PeerEvent.connected(
                connection, remote: remoteAddress, handshakeMilliseconds: handshakeTime.map(PeerEventOutput.milliseconds))
            event.relay = relayed?.event.relay
            event.print()
            relayed?.event.print()
            return
        }
        var text = style.green("Connected") + " to "
        if connection.remoteAlias != nil { text += style.bold(connection.remoteName) + ", " }
        text += style.cyan(remote.description)
        if let remoteAddress { text += style.dim(" from \(remoteAddress)") }
        if let handshakeTime { text += style.dim(" in \(PeerEventOutput.format(PeerEventOutput.milliseconds(handshakeTime))) ms") }
        text += style.dim(" (\(connection.noiseSchedule) Noise)")
        notice(text)
        if let relayed { notice(style.dim(relayed.text)) }
        if case .interactive = form {
            notice(style.dim("Type a message and press Enter. /quit, Ctrl-D or Ctrl-C leaves."))
        }
    }

    /// How a relayed connection's direct upgrade ended, before the chat stream opens.
    func upgrade(of connection: Connection, ended outcome: DirectUpgradeOutcome) {
        let (event, text) = PeerEvent.upgrade(of: connection, ended: outcome)
        if case .json = form {
            event.print()
        } else {
            notice(style.dim(text))
        }
    }

    // MARK: During the chat

    /// A line the user sent, shown in place of the prompt it was typed at.
    func sent(_ text: String) {
        guard case .interactive(let screen) = form else { return }
        screen.printAbove(Self.time(style) + style.bold(style.green(Self.ownName)) + style.dim(" › ") + text)
    }

    func message(_ text: String, from connection: Connection) {
        switch form {
        case .json:
            var event = PeerEvent("message")
            event.principal = connection.remotePrincipal.description
            event.text = text
            event.print()
        case .plain:
            print(text)
            fflush(nil)
        case .interactive(let screen):
            screen.printAbove(
                Self.time(style) + style.bold(style.cyan(connection.remoteName)) + style.dim(" › ") + text.withoutControlCharacters)
        }
    }

    // MARK: The end

    /// The other side finished its half of the chat, or hung up cleanly.
    func remoteLeft(_ connection: Connection) {
        if case .json = form {
            var event = PeerEvent("left")
            event.principal = connection.remotePrincipal.description
            event.print()
            return
        }
        let name = connection.remoteAlias == nil ? connection.remotePrincipal.description : connection.remoteName
        notice(style.yellow("\(name) left the chat."))
    }

    /// This side is done sending; the other side is told and given a moment to finish.
    func localLeft() {
        if case .json = form { return }
        notice(style.dim("You left the chat."))
    }

    /// The session is over; `failure` says why when it ended abnormally.
    func closed(_ remote: Principal, failure: CommandFailure?) {
        if case .interactive(let screen) = form { screen.hidePrompt() }
        guard case .json = form else { return }
        var event = PeerEvent("closed")
        event.principal = remote.description
        event.code = failure?.code?.description
        event.error = failure?.message
        event.print()
    }

    /// A line about the chat (not a message): on the terminal in the interactive form, on
    /// standard error in the plain form, nowhere in JSON (which has its events).
    func notice(_ text: String) {
        switch form {
        case .json:
            break
        case .plain:
            TerminalInput.writeToStandardError(text + "\n")
        case .interactive(let screen):
            screen.printAbove(text)
        }
    }

    /// `HH:MM `, dimmed.
    private static func time(_ style: TextStyle) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm"
        return style.dim(formatter.string(from: Date()) + " ")
    }
}

extension Principal {
    /// `SP2J6Z…9EJ7`: enough of the address to tell peers apart in a conversation.
    var shortName: String {
        let text = address.description
        guard text.count > 12 else { return text }
        return "\(text.prefix(6))…\(text.suffix(4))"
    }
}

extension Connection {
    /// How people see the remote: `Alice (@alice · SP1Y1C…3P50)` when it presented an alias card
    /// (never the alias alone: aliases are not unique), else the principal's short form.
    var remoteName: String {
        guard let card = remoteAlias else { return remotePrincipal.shortName }
        let name = card.displayName.isEmpty ? card.alias : card.displayName.withoutControlCharacters
        return "\(name) (@\(card.alias) · \(remotePrincipal.shortName))"
    }
}
