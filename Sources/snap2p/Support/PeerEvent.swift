import Foundation
import SNaP2P

/// One `--json` line of `listen`, `dial` and `chat` (and the `error` line of a failed command):
/// `event` plus the fields that event has; absent fields are left out.
/// Events: ready, connected, handshake_failed, echo, message, left, closed, done, error; relay
/// events: reserved, relay_lost, relayed, upgraded, upgrade_failed, refused, relay_opened, relay_closed.
struct PeerEvent: Encodable {
    var event: String
    var principal: String?
    var host: String?
    var port: Int?
    var token: String?
    var remote: String?
    /// This side's `ip:port` (`connected`): for a dial, the local port it left from.
    var local: String?
    /// How the remote sees this side, `ip:port` (`connected`, when both sides announce obs1):
    /// behind a NAT, the NAT's public mapping.
    var observedAddress: String?
    var handshakeMilliseconds: Double?
    /// `standard` or `reference`: the Noise key schedule of the session (`connected`).
    var noise: String?
    /// The remote's verified alias card, when it presented one (`connected`).
    var alias: String?
    var displayName: String?
    var handshakes: Int?
    /// Handshakes kept in flight at once (`dial --parallel`).
    var parallel: Int?
    var handshakesPerSecond: Double?
    var stream: UInt64?
    var bytes: Int?
    var seconds: Double?
    var megabytesPerSecond: Double?
    var text: String?
    var code: String?
    var error: String?
    var hint: String?
    /// `ready` of `listen`: about how many sessions the open-file limit allows.
    var maximumSessions: Int?
    /// Where `listen --metrics` serves Prometheus metrics, `host:port` (`ready`).
    var metrics: String?
    /// The `--via` peers a principal is resolved through (`resolving`).
    var via: [String]?
    /// Whether `listen --connect` dialed this session (`connected`).
    var outbound: Bool?
    /// Who was asked where a principal listens, and what each said (`error` of a dial by principal).
    var asked: [Answer]?
    /// How long until the next attempt (`connect_failed` of `listen --connect`).
    var retrySeconds: Double?

    /// One peer asked to resolve a principal.
    struct Answer: Encodable {
        var principal: String
        var remote: String?
        /// `locators`, `not_known`, `failed` or `no_answer`.
        var answer = "no_answer"
        var locators: [String]?
        var error: String?
    }
    /// `direct` or `relayed` (`connected`, `echo`; `upgraded`: `direct`).
    var path: String?
    /// The relay's principal (`connected` and `relayed` over a relay, `reserved` of `listen --relay`).
    var relay: String?
    /// Where others reach this peer through its relay, `relay:HOST:PORT` (`reserved` of `listen --relay`).
    var locator: String?
    /// When a reservation runs out unless renewed, Unix seconds (`reserved`).
    var expires: UInt64?
    /// The reserved peer of a relayed connection (`relay_opened`, `relay_closed` of `relay`).
    var target: String?
    /// Bytes a relayed connection carried, both directions (`relay_closed`).
    var relayedBytes: UInt64?
    /// The relay limit that cut a relayed connection: `duration` or `bytes` (`relay_closed`).
    var limit: String?

    init(_ event: String) {
        self.event = event
    }

    enum CodingKeys: String, CodingKey {
        case event, principal, alias, host, port, token, remote, local, noise, handshakes, parallel, stream, bytes, seconds, text, code, error, hint, metrics
        case via, outbound, asked
        case path, relay, locator, expires, target, limit
        case observedAddress = "observed_address"
        case retrySeconds = "retry_seconds"
        case relayedBytes = "relayed_bytes"
        case handshakeMilliseconds = "handshake_ms"
        case displayName = "display_name"
        case handshakesPerSecond = "handshakes_per_second"
        case megabytesPerSecond = "mb_per_s"
        case maximumSessions = "max_sessions"
    }

    /// `connected`: who the remote is, its card, the addresses of the session, and its Noise schedule.
    static func connected(_ connection: Connection, remote: String?, handshakeMilliseconds: Double?) -> PeerEvent {
        var event = PeerEvent("connected")
        event.principal = connection.remotePrincipal.description
        event.alias = connection.remoteAlias?.alias
        event.displayName = connection.remoteAlias?.displayName
        event.remote = remote
        event.local = connection.localAddress
        event.observedAddress = connection.observedLocalAddress
        event.noise = connection.noiseSchedule.description
        event.handshakeMilliseconds = handshakeMilliseconds
        event.path = connection.path.isRelayed ? "relayed" : "direct"
        return event
    }

    /// `relayed` for a connection through a relay (who relays, at which address), with its text;
    /// `nil` for a direct one.
    static func relayed(_ connection: Connection) -> (event: PeerEvent, text: String)? {
        guard case .relayed(let relay, let relayAddress) = connection.path else { return nil }
        var event = PeerEvent("relayed")
        event.principal = connection.remotePrincipal.description
        event.relay = relay.description
        event.remote = relayAddress
        return (event, "Relayed through \(relay)" + (relayAddress.map { " at \($0)" } ?? "") + " (end-to-end encrypted)")
    }

    /// How a relayed connection's direct upgrade ended: `upgraded` with the direct remote address,
    /// or `upgrade_failed` with why (the relayed path goes on), with its text.
    static func upgrade(of connection: Connection, ended outcome: DirectUpgradeOutcome) -> (event: PeerEvent, text: String) {
        switch outcome {
        case .upgraded(let path):
            var event = PeerEvent("upgraded")
            event.principal = connection.remotePrincipal.description
            event.remote = connection.remoteAddress
            event.path = "direct"
            return (event, "Upgraded to \(path) with \(connection.remotePrincipal): new streams bypass the relay")
        case .failed(let reason), .notAttempted(let reason):
            var event = PeerEvent("upgrade_failed")
            event.principal = connection.remotePrincipal.description
            event.error = reason
            return (event, "No direct upgrade with \(connection.remotePrincipal) (\(reason)): staying relayed")
        }
    }

    /// Prints the event as one line and flushes it (scripts read lines as they come).
    func print() {
        try? JSONLines.print(self)
    }
}
