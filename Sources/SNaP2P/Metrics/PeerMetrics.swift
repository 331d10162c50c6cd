import CoreMetrics
import SNaP2PNoise
import SNaP2PSession
import SNaP2PWire

/// The metrics one peer reports through swift-metrics (docs/METRICS.md). Handles are made once,
/// so the per-frame byte counters cost one counter increment each; labels are low-cardinality
/// (a role, a result, a reason), never a principal or an address.
struct PeerMetrics: Sendable {
    /// Why a listener turned a connection away, the `reason` of `snap2p_connections_refused_total`.
    enum RefusalReason: String {
        /// Over the per-IP rate limit, before any cryptography.
        case rateLimit = "rate_limit"
        /// A stealth listener saw no valid invite token.
        case stealth
        /// The authorization policy (an allowlist) refused the principal.
        case allowlist
        /// The application was not accepting connections fast enough.
        case backlog
        /// The listener was draining for a shutdown.
        case draining
        /// A ``ResourceLimits`` limit: sessions, per address, per principal, handshakes in flight.
        case resourceLimit = "resource_limit"
    }

    private let factory: any MetricsFactory
    private let handshakeDuration: Timer
    private let sessionsActive: Meter
    private let streamsActive: Meter
    private let bytesSent: Counter
    private let bytesReceived: Counter
    private let keepaliveTimeouts: Counter

    init(factory: any MetricsFactory) {
        self.factory = factory
        handshakeDuration = Timer(label: "snap2p_handshake_duration_seconds", factory: factory)
        sessionsActive = Meter(label: "snap2p_sessions_active", factory: factory)
        streamsActive = Meter(label: "snap2p_streams_active", factory: factory)
        bytesSent = Counter(label: "snap2p_bytes_sent_total", factory: factory)
        bytesReceived = Counter(label: "snap2p_bytes_received_total", factory: factory)
        keepaliveTimeouts = Counter(label: "snap2p_keepalive_timeouts_total", factory: factory)
    }

    /// A handshake ended after `duration`: `code` nil for success, else the protocol error.
    func handshakeFinished(role: HandshakeRole, code: ProtocolErrorCode?, duration: Duration) {
        let result = code?.description ?? "success"
        Counter(
            label: "snap2p_handshakes_total",
            dimensions: [("role", role == .initiator ? "dialer" : "listener"), ("result", result)],
            factory: factory
        ).increment()
        let (seconds, attoseconds) = duration.components
        handshakeDuration.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        if code == nil { sessionsActive.increment() }
        if role == .responder, let reason = code.flatMap(Self.refusalReason) { refused(reason) }
    }

    /// An established session ended; `end` says how.
    func sessionEnded(_ end: SessionEnd, openStreams: Int) {
        sessionsActive.decrement()
        streamsEnded(openStreams)
        // TIMEOUT after the handshake is the keepalive's: no PONG came in time (ours or the remote's).
        if end.phase == .session, end.code == .timeout { keepaliveTimeouts.increment() }
    }

    /// A listener turned a connection away.
    func refused(_ reason: RefusalReason) {
        Counter(label: "snap2p_connections_refused_total", dimensions: [("reason", reason.rawValue)], factory: factory)
            .increment()
    }

    func streamOpened() { streamsActive.increment() }

    func streamsEnded(_ count: Int) {
        if count > 0 { streamsActive.decrement(by: Double(count)) }
    }

    /// Stream payload bytes sealed for sending (counted per sealed batch, not per byte).
    func sent(_ byteCount: Int) { bytesSent.increment(by: byteCount) }

    /// Stream payload bytes delivered to a reader (counted per frame).
    func received(_ byteCount: Int) { bytesReceived.increment(by: byteCount) }

    /// The refusals a listener's handshake codes stand for.
    private static func refusalReason(_ code: ProtocolErrorCode) -> RefusalReason? {
        switch code {
        case .inviteRequired, .invalidToken: .stealth
        case .notAllowed: .allowlist
        default: nil
        }
    }
}
