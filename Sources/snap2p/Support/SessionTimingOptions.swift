import ArgumentParser
import Foundation
import SNaP2P

/// `--keepalive-interval` and `--keepalive-timeout`: how soon a peer that vanished without a word
/// (a cable pulled, a laptop closed, a process stopped) is noticed. `listen`, `dial` and `chat`
/// adopt it with `@OptionGroup var keepaliveOptions: KeepaliveOptions`.
struct KeepaliveOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Seconds between keepalive PINGs (default 30).", valueName: "seconds"))
    var keepaliveInterval: Int?

    @Option(help: ArgumentHelp(
        "Seconds a PING may wait for its PONG before the session ends with TIMEOUT (default 10). "
            + "A silent peer is noticed within interval + timeout + 2 seconds.",
        valueName: "seconds"))
    var keepaliveTimeout: Int?

    /// The keepalive knobs count whole seconds; a day is far beyond any useful setting.
    static let range = 1...86_400

    func validate() throws {
        for (name, value) in [("--keepalive-interval", keepaliveInterval), ("--keepalive-timeout", keepaliveTimeout)] {
            if let value, !Self.range.contains(value) {
                throw ValidationError("\(name) must be a whole number of seconds from 1 to \(Self.range.upperBound), not \(value)")
            }
        }
    }

    /// The keepalive timing, with the library's defaults where no option is given.
    var keepalive: PeerConfiguration.Keepalive {
        var keepalive = PeerConfiguration.Keepalive()
        if let keepaliveInterval { keepalive.interval = .seconds(keepaliveInterval) }
        if let keepaliveTimeout { keepalive.timeout = .seconds(keepaliveTimeout) }
        return keepalive
    }
}

/// `--rate-limit N/SECONDS` or `--rate-limit off`: how many connections one remote address may
/// open per sliding window before the listener turns it away, before any cryptography.
enum RateLimitArgument: Equatable {
    case off
    case limit(connections: Int, seconds: Int)

    /// Reads `N/SECONDS` or `off`; anything else is refused with the expected form.
    static func parse(_ argument: String) throws -> RateLimitArgument {
        let text = argument.trimmingCharacters(in: .whitespaces).lowercased()
        if text == "off" { return .off }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let connections = Int(parts[0]), let seconds = Int(parts[1]),
              connections >= 1, (1...86_400).contains(seconds)
        else { throw ValidationError(usage) }
        return .limit(connections: connections, seconds: seconds)
    }

    static let usage = "expected N/SECONDS (at most N connections per SECONDS from one address; "
        + "whole numbers, N at least 1, SECONDS from 1 to 86400; for example 5/60) or off"

    /// The library's setting.
    var setting: PeerConfiguration.RateLimit {
        switch self {
        case .off: .off
        case .limit(let connections, let seconds): .custom(ConnectionRateLimit(maximumConnections: connections, per: .seconds(seconds)))
        }
    }
}
