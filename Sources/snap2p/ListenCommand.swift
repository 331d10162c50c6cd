import ArgumentParser
import Foundation
import SNaP2P
import SNaP2PWire

/// `snap2p listen`: an echo server. Every stream's bytes go back as they arrive and a finished
/// stream is finished in turn, so `snap2p dial` (or any peer) can check a session end to end.
struct ListenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listen",
        abstract: "Accept sessions on a port and echo every stream.",
        discussion: """
            Prints this peer's principal, then one line per connection and disconnection. The \
            identity is a fresh throwaway one unless --wallet names a stored wallet. --allow makes the listener private (only the listed \
            principals get in); --stealth additionally demands an invite token before any handshake \
            (one is generated and printed unless --token gives it). An address that opens more \
            connections than --rate-limit allows is disconnected at once, before any handshake.

            Examples:
              snap2p listen 9000
              snap2p listen 0 --host 127.0.0.1 --testnet --json
              snap2p listen 9000 --stealth --allow stacks:SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7
              snap2p listen 9000 --stealth --rate-limit 20/60
              snap2p listen 9000 --rate-limit off --keepalive-interval 5 --keepalive-timeout 5
            """
    )

    @Argument(help: "The port (0: any free port, printed when ready).")
    var port: Int

    @Option(help: "The address to bind.")
    var host = "0.0.0.0"

    @Flag(help: "Use a testnet identity (ST... principals) and accept only testnet peers.")
    var testnet = false

    @Flag(help: "Print one JSON object per line (events: ready, connected, handshake_failed, closed).")
    var json = false

    @OptionGroup var walletOptions: WalletUnlockOptions

    @OptionGroup var aliasOptions: AliasOptions

    @Flag(help: "Reveal nothing to dialers without an invite token.")
    var stealth = false

    @Option(help: ArgumentHelp("The invite token to accept (hex, 16-32 bytes); generated when omitted.", valueName: "hex"))
    var token: String?

    @Option(help: NoisePolicyOption.help)
    var noise = NoisePolicyOption.preferStandard

    @Option(help: ArgumentHelp("Admit only this principal (repeatable).", valueName: "principal"))
    var allow: [String] = []

    @Option(
        help: ArgumentHelp(
            "Connections one address may open per window before it is turned away (before any cryptography): "
                + "N/SECONDS, or off. Default: stealth 5/60, private (--allow) 30/60, public off.",
            valueName: "N/seconds|off"),
        transform: RateLimitArgument.parse)
    var rateLimit: RateLimitArgument?

    @OptionGroup var keepaliveOptions: KeepaliveOptions

    @OptionGroup var limitOptions: ResourceLimitOptions

    func validate() throws {
        if token != nil && !stealth { throw ValidationError("--token is only for --stealth listeners") }
    }

    func run() async throws {
        let output = PeerEventOutput(json: json)
        let allowlist = try allow.map { text in
            do { return try Principal(text) } catch { throw ValidationError("--allow \(text): \(error)") }
        }
        let tokens = InviteTokenStore()
        var printedToken: String?
        if stealth {
            if let token {
                let bytes = try PeerEventOutput.decodeToken(token)
                do { try tokens.add(bytes) } catch { throw ValidationError("--token: \(error)") }
            } else {
                printedToken = Hex.encode(tokens.issue())
            }
        }
        let visibility: Visibility = stealth ? .stealth : (allowlist.isEmpty ? .public : .private)
        let configuration = PeerConfiguration(
            network: testnet ? .testnet : .mainnet,
            visibility: visibility,
            authorization: allowlist.isEmpty ? AllowAllPolicy() : AllowlistPolicy(Set(allowlist)),
            inviteTokens: tokens,
            rateLimit: rateLimit?.setting ?? .automatic,
            keepalive: keepaliveOptions.keepalive,
            maximumStreams: limitOptions.maximumStreams,
            limits: limitOptions.limits(descriptorRoom: FileDescriptorLimit.maximumSessions),
            noisePolicy: noise.policy,
            alias: try aliasOptions.resolveOrExit(wallet: walletOptions.wallet, store: walletOptions.storeOptions.store, json: json)
        )
        let peer = Peer(wallet: try walletOptions.unlockOrExit(testnet: testnet, json: json), configuration: configuration)
        let listener: Listener
        do {
            listener = try await peer.listen(host: host, port: port)
        } catch {
            throw CommandFailure.listening(error, host: host, port: port).exit(json: json)
        }
        output.ready(
            principal: peer.principal, host: listener.host, port: listener.port, token: printedToken,
            maximumSessions: configuration.limits.sessions)
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await failure in listener.failedHandshakes { output.handshakeFailed(failure) }
            }
            for await connection in listener {
                group.addTask { await Self.serve(connection, output: output) }
            }
        }
    }

    /// Echoes every stream of one connection until it ends.
    private static func serve(_ connection: Connection, output: PeerEventOutput) async {
        output.connected(connection, from: connection.remoteAddress, handshakeTime: nil)
        await withDiscardingTaskGroup { group in
            for await stream in connection.incomingStreams {
                group.addTask {
                    do {
                        for try await chunk in stream.inbound { try await stream.write(chunk) }
                        try await stream.finish()
                    } catch {
                        stream.close(error: .internalError)
                    }
                }
            }
        }
        output.closed(principal: connection.remotePrincipal, error: await connection.closed())
    }
}

/// How `listen` and `dial` report: a sentence per event for people, one JSON object per line
/// (`event` plus its fields) for scripts. Failures are reported as ``CommandFailure``s.
struct PeerEventOutput: Sendable {
    let json: Bool

    /// Parses an invite token given as hex.
    static func decodeToken(_ text: String) throws -> [UInt8] {
        guard let bytes = try? Hex.decode(text), InviteTokenStore.tokenLengths.contains(bytes.count) else {
            throw ValidationError("--token must be 16-32 bytes of hex")
        }
        return bytes
    }

    /// Prints one event. Scripts read the lines while the process runs, so each is flushed at once.
    func emit(_ event: PeerEvent, text: @autoclosure () -> String) {
        if json {
            event.print()
        } else {
            print(text())
            fflush(nil)
        }
    }

    func ready(principal: Principal, host: String, port: Int, token: String?, maximumSessions: Int) {
        var event = PeerEvent("ready")
        event.principal = principal.description
        event.host = host
        event.port = port
        event.token = token
        event.maximumSessions = maximumSessions
        var text = "Listening on \(host):\(port) as \(principal)"
        if let token { text += "\nInvite token: \(token)" }
        text += "\nRoom for about \(maximumSessions) sessions (open-file limit \(FileDescriptorLimit.soft))"
        emit(event, text: text)
    }

    /// A session is up: who, from where, how long the handshake took, and which Noise schedule.
    func connected(_ connection: Connection, from remote: String?, handshakeTime: Duration?) {
        var event = PeerEvent("connected")
        event.principal = connection.remotePrincipal.description
        event.alias = connection.remoteAlias?.alias
        event.displayName = connection.remoteAlias?.displayName
        event.remote = remote
        event.noise = connection.noiseSchedule.description
        event.handshakeMilliseconds = handshakeTime.map(Self.milliseconds)
        var text = "Connected: \(connection.remotePrincipal)"
        if let card = connection.remoteAlias {
            text += " — @\(card.alias)" + (card.displayName.isEmpty ? "" : ", \(card.displayName.withoutControlCharacters)")
        }
        if let remote { text += " from \(remote)" }
        var details = ["\(connection.noiseSchedule) Noise"]
        if let handshakeTime { details.insert("handshake \(Self.format(Self.milliseconds(handshakeTime))) ms", at: 0) }
        text += " (\(details.joined(separator: ", ")))"
        emit(event, text: text)
    }

    /// A dialer's handshake failed; the listener carries on.
    func handshakeFailed(_ failure: FailedHandshake) {
        var event = PeerEvent("handshake_failed")
        event.remote = failure.remoteAddress
        event.code = failure.error.code?.description
        event.error = failure.error.description
        emit(event, text: "Handshake failed" + (failure.remoteAddress.map { " from \($0)" } ?? "") + ": \(failure.error)")
    }

    func closed(principal: Principal, error: SNaP2PError?) {
        var event = PeerEvent("closed")
        event.principal = principal.description
        event.code = error?.code?.description
        event.error = error?.description
        emit(event, text: "Closed: \(principal)" + (error.map { " (\($0))" } ?? ""))
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }

    static func format(_ value: Double) -> String {
        String(format: "%.2f", value)
    }
}
