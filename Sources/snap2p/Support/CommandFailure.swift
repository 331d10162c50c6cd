import ArgumentParser
import Foundation
import SNaP2P

/// The exit statuses of `demo`, `chat`, `listen`, `dial`, `send`, `receive` and `signin`, one per kind of failure, so a script can tell
/// "nobody there" from "refused" from "wrong password". Documented in docs/CLI.md.
enum ExitStatus: Int32 {
    /// Done; for `chat`, either side ended the chat normally.
    case success = 0
    /// Anything not listed below.
    case failure = 1
    /// No TCP connection: nothing listening, unreachable, unknown host, or the port to listen on is taken.
    case unreachable = 2
    /// The handshake failed: refused by the other side (not allowed, wrong token, other network...) or by us.
    case handshakeFailed = 3
    /// The wallet could not be used: no such wallet, wrong password, no password given.
    case walletUnavailable = 4
    /// The session ended abnormally (connection lost, keepalive timeout, protocol error).
    case sessionLost = 5
    /// The command needs an interactive terminal.
    case needsTerminal = 6
    /// A file transfer was refused: by the receiver's user, or because nobody was at its terminal to ask.
    case transferRefused = 7
    /// A file arrived but was not stored: its SHA-256 did not match, or it was truncated or too long.
    case transferNotVerified = 8
    /// A principal to dial was not found: no peer asked (`--via`) knew where it listens.
    case principalNotFound = 9
    /// A relay refused to connect (no reservation for the principal, a limit, not a relay) or the
    /// reserved peer did not take the connection.
    case relayRefused = 10
    /// Interrupted (Ctrl-C) where that abandons the command, as shells report it.
    case interrupted = 130
    // Invalid arguments exit with 64 (EX_USAGE), set by swift-argument-parser.
}

/// A failure explained for people: what went wrong, why it probably did, and what to do about it.
/// Commands turn library errors into these at the point where they know the context (the address
/// dialled, this peer's principal, the wallet), then ``report(json:)`` it and exit with its status.
struct CommandFailure: Error, CustomStringConvertible {
    /// One sentence: what happened.
    var message: String
    /// What to do about it, when there is something to do.
    var hint: String?
    var status: ExitStatus
    /// The protocol error code, for `--json` output.
    var code: ProtocolErrorCode?
    /// For a dial by principal: who was asked and what each said (`--json` output).
    var asked: [PeerEvent.Answer]?

    var description: String { message }

    init(_ message: String, hint: String? = nil, status: ExitStatus = .failure, code: ProtocolErrorCode? = nil) {
        self.message = message
        self.hint = hint
        self.status = status
        self.code = code
    }

    /// Prints `error: ...` and `hint: ...` on standard error (and with `json`, an `error` event on
    /// standard output), then exits with ``status``.
    func exit(json: Bool = false) -> ExitCode {
        report(json: json)
        return ExitCode(status.rawValue)
    }

    func report(json: Bool = false) {
        if json {
            var event = PeerEvent("error")
            event.code = code?.description
            event.error = message
            event.hint = hint
            event.asked = asked
            event.print()
        }
        let style = TextStyle.standardError
        var text = style.red(style.bold("error: ")) + message + "\n"
        if let hint { text += style.yellow("hint: ") + hint + "\n" }
        TerminalInput.writeToStandardError(text)
    }
}

extension CommandFailure {
    /// A dial to `address` that failed. `localPrincipal` names this side in NOT_ALLOWED hints;
    /// `listenCommand` is the command suggested to start a listener (`chat --listen` or `listen`).
    static func dialing(
        _ error: any Error, address: String, localPrincipal: Principal, usedToken: Bool, listenCommand: String = "chat --listen"
    ) -> CommandFailure {
        guard let error = error as? SNaP2PError else { return CommandFailure("cannot connect to \(address): \(error)") }
        switch error {
        case .connectionFailed(let reason):
            let lowered = reason.lowercased()
            if lowered.contains("refused") {
                return CommandFailure(
                    "nothing accepted the connection on \(address)",
                    hint: "is a listener running on \(address)? Start one with: \(Invocation.name) \(listenCommand) \(Self.port(of: address))",
                    status: .unreachable)
            }
            if lowered.contains("timed out") || lowered.contains("timeout") {
                return CommandFailure(
                    "no answer from \(address) (connect timed out)",
                    hint: "check the address, and that no firewall drops the connection", status: .unreachable)
            }
            if lowered.contains("dns") || lowered.contains("unknownhost") || lowered.contains("resolve") {
                return CommandFailure(
                    "cannot find the host of \(address) (its name does not resolve)",
                    hint: "check the spelling, or give an IP address", status: .unreachable)
            }
            return CommandFailure("cannot connect to \(address): \(reason)", status: .unreachable)
        case .invalidAddress:
            return CommandFailure("\(error)", hint: "for example 127.0.0.1:9000 or [::1]:9000", status: .failure)
        case .simultaneousOpenFailed:
            return CommandFailure(
                "no direct connection with \(address): \(error)",
                hint: "the other side must punch toward this side's public address at the same time; "
                    + "a NAT that changes ports or a firewall that drops inbound connections leaves only a relay",
                status: .unreachable)
        case .handshakeFailed(let code, let reason):
            return handshake(code: code, reason: reason, address: address, localPrincipal: localPrincipal, usedToken: usedToken)
        case .principalMismatch(let expected, let actual):
            return principalMismatch(address: address, expected: expected, actual: actual)
        case .relayRefused(let refusal):
            return relay(refusal, address: address)
        default:
            return session(error, remote: address)
        }
    }

    /// A relay at `address` (`relay:HOST:PORT`) that refused, with a hint per reason.
    private static func relay(_ refusal: RelayRefusal, address: String) -> CommandFailure {
        let hint: String? = switch refusal.reason {
        case .noReservation: "is the peer running `\(Invocation.name) listen PORT --relay HOST:PORT` with this relay? Check --expect"
        case .notARelay: "that peer serves no relay: start one with `\(Invocation.name) relay PORT`"
        case .relayFull, .peerLimit, .reservationsFull: "the relay is at its operator's limit: try again later"
        case .notAllowed: "the relay's operator did not allow this principal (snap2p relay --allow)"
        case .unreachable: "the reserved peer did not take the connection through the relay"
        default: nil
        }
        return CommandFailure("\(address) refused the relayed connection: \(refusal)", hint: hint, status: .relayRefused)
    }

    private static func handshake(
        code: ProtocolErrorCode, reason: String?, address: String, localPrincipal: Principal, usedToken: Bool
    ) -> CommandFailure {
        // "CODE" or "CODE: the remote's reason".
        let named = "\(code)" + (reason.map { ": \($0)" } ?? "")
        func failure(_ message: String, _ hint: String?) -> CommandFailure {
            CommandFailure(message, hint: hint, status: .handshakeFailed, code: code)
        }
        switch code {
        case .notAllowed:
            return failure(
                "\(address) refused us (NOT_ALLOWED): the listener's allowlist does not include \(localPrincipal)",
                "ask its owner to add --allow \(localPrincipal), or dial with --wallet NAME using an identity it allows")
        case .invalidToken, .inviteRequired:
            return failure(
                "\(address) is a stealth listener and refused the invite token (\(code))",
                usedToken ? "check the token: it is the hex the listener printed at start" : "pass the token it printed: --token HEX")
        case .attestationInvalid where reason?.contains("network") == true:
            return failure(
                "the peers are on different Stacks networks (\(named))",
                "use --testnet on both sides, or on neither (a wallet's network must match too)")
        case .authFailed where reason?.hasPrefix("principal mismatch") == true:
            // We refused: the listener's AUTH_OK named another principal than its attestation proved.
            return failure(
                "\(address) did not prove who it claims to be (AUTH_FAILED): \(reason ?? "")",
                "a clock is not the cause: the peer's software is faulty, or something between the peers tampers with the handshake")
        case .authFailed where reason?.contains("principal differs") == true:
            return failure(
                "\(address) refused our AUTH_OK: it named another principal than our attestation (\(named))",
                "a clock is not the cause: this side's identity setup is inconsistent")
        case .attestationInvalid, .authFailed:
            return failure("the identity proof was rejected (\(named))", "check that both computers' clocks are right")
        case .attestationExpired:
            return failure("an identity proof has expired (\(named))", "check that both computers' clocks are right")
        case .rateLimited:
            return failure("\(address) refuses more connections from this address for now (RATE_LIMITED)", "wait a minute and try again")
        case .versionUnsupported where reason?.lowercased().contains("standard noise") == true:
            return failure(
                "\(address) and this side disagree on the Noise key schedule (\(named))",
                "one side requires standard Noise (--noise require-standard) and the other speaks only the TypeScript "
                    + "reference's schedule; --noise prefer-standard on the requiring side admits both")
        case .versionUnsupported:
            return failure("\(address) speaks another SNaP2P protocol version (VERSION_UNSUPPORTED)", nil)
        case .handshakeFailed:
            return failure(
                "the handshake with \(address) failed (\(named))",
                "a message did not authenticate: something between the peers altered it, or \(address) is not a SNaP2P peer")
        case .timeout:
            return failure(
                "the handshake with \(address) did not complete in time (\(named))",
                "is \(address) a SNaP2P peer? A stealth listener stays silent without its --token")
        case .connectionClosed:
            let rateLimit = "a listener also hangs up at once on an address over its --rate-limit: wait, then try again"
            return failure(
                "\(address) closed the connection during the handshake (\(named))",
                usedToken
                    ? "is \(address) a SNaP2P peer? \(rateLimit.prefix(1).uppercased() + rateLimit.dropFirst())"
                    : "if it is a stealth listener, pass the token it printed: --token HEX; \(rateLimit)")
        default:
            return failure("the handshake with \(address) failed (\(named))", nil)
        }
    }

    /// A session with `remote` that ended abnormally.
    static func session(_ error: any Error, remote: String) -> CommandFailure {
        guard let error = error as? SNaP2PError else { return CommandFailure("the session with \(remote) failed: \(error)", status: .sessionLost) }
        switch error {
        case .connectionClosed(.timeout, _):
            return CommandFailure(
                "\(remote) stopped answering (keepalive TIMEOUT)", hint: "the network or the other side went away",
                status: .sessionLost, code: .timeout)
        case .connectionClosed(.authFailed, _):
            return CommandFailure(
                "a message from \(remote) failed to decrypt, so the session was closed (AUTH_FAILED)",
                hint: "something between the peers altered the traffic", status: .sessionLost, code: .authFailed)
        case .connectionClosed(.connectionClosed, let reason):
            // Usually the transport ended while a stream still waited for the remote; the reason
            // names the cause ("connection reset by peer", "connection closed by peer").
            return CommandFailure(
                "the session with \(remote) was cut off: \(reason ?? "connection closed by peer") (CONNECTION_CLOSED)",
                hint: "the other side stopped (it exited, crashed or was killed) or the network dropped the connection",
                status: .sessionLost, code: .connectionClosed)
        default:
            return CommandFailure("the session with \(remote) ended: \(error)", status: .sessionLost, code: error.code)
        }
    }

    /// Binding `host:port` failed.
    static func listening(_ error: any Error, host: String, port: Int) -> CommandFailure {
        let text = "\(error)"
        if text.contains("in use") {
            return CommandFailure(
                "port \(port) on \(host) is already in use", hint: "stop the program using it, or pick another port (0: any free port)",
                status: .unreachable)
        }
        if text.contains("ermission denied") {
            return CommandFailure(
                "not allowed to listen on port \(port)", hint: "ports below 1024 need privileges: pick a port from 1024 up",
                status: .unreachable)
        }
        if text.contains("ddress not available") || text.contains("resolve") {
            return CommandFailure(
                "cannot listen on \(host): no such local address", hint: "use 0.0.0.0 (every interface) or 127.0.0.1 (this computer only)",
                status: .unreachable)
        }
        return CommandFailure("cannot listen on \(host):\(port): \(error)", status: .unreachable)
    }

    private static func port(of address: String) -> String {
        address.split(separator: ":").last.map(String.init) ?? "PORT"
    }
}

/// How the user invoked this program, for commands printed as suggestions: `snap2p` when it was
/// found on the PATH, else the path typed (`.build/release/snap2p`), so suggestions can be pasted.
enum Invocation {
    static let name: String = {
        let typed = CommandLine.arguments.first ?? "snap2p"
        return typed.contains("/") ? typed : "snap2p"
    }()
}

extension CommandFailure {
    /// The listener at `address` proved `actual` where the dialer expected `expected`.
    static func principalMismatch(address: String, expected: Principal, actual: Principal) -> CommandFailure {
        CommandFailure(
            "principal mismatch: expected \(expected), but \(address) proved to be \(actual)",
            hint: "check the address and --expect; if both are right, another peer answers at \(address)",
            status: .handshakeFailed, code: .notAllowed)
    }
}
