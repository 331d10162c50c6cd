import SNaP2PIdentity
import SNaP2PNoise

/// A TCP simultaneous open, the direct-connection step of NAT traversal ("hole punching"): both
/// peers connect from a fixed local port to each other's public address at about the same moment,
/// so each NAT already holds the outbound mapping when the other's SYN arrives and the two SYNs
/// cross into one connection (docs/NAT-TRAVERSAL.md). Neither side accepts: both believe they
/// connected, so the handshake's roles are fixed by ``role(of:towards:)``.
///
/// A NAT that sees a SYN before its own side's goes out answers with a reset (Linux does), which
/// fails the connect at once: the attempt is repeated after ``retryInterval`` from the same port
/// until one connects or ``deadline`` passes. A NAT that drops such a SYN instead leaves the
/// attempt pending, and the other side's SYN completes it.
public struct SimultaneousOpen: Sendable, Hashable {
    /// The local port every attempt binds (with `SO_REUSEADDR` and `SO_REUSEPORT`), normally the
    /// one the peer's connection to a relay uses, so the NAT maps it to the port the remote observed.
    public var localPort: Int
    /// The remote's addresses to try (IP literals), each in parallel.
    public var candidates: [PeerAddress]
    /// When the first attempts go out; both peers agree on it (a relay's round trip apart at most).
    public var start: ContinuousClock.Instant
    /// When to give up.
    public var deadline: ContinuousClock.Instant
    /// How long after a failed attempt the next one to the same candidate goes out.
    public var retryInterval: Duration

    /// A plan to connect from `localPort` to `candidates` between `start` and `deadline`.
    public init(
        localPort: Int,
        candidates: [PeerAddress],
        start: ContinuousClock.Instant = .now,
        deadline: ContinuousClock.Instant,
        retryInterval: Duration = Self.defaultRetryInterval
    ) {
        self.localPort = localPort
        self.candidates = candidates
        self.start = start
        self.deadline = deadline
        self.retryInterval = retryInterval
    }

    /// Between two Linux NATs that reset unmatched SYNs, the two SYNs must cross within about a
    /// round trip: retrying 1 ms after a refusal connected 49 of 50 times within 5 s (median 0.1 s)
    /// on the test bridge, every 10 ms 9 of 10, every 200 ms never (docs/NAT-TRAVERSAL.md).
    public static let defaultRetryInterval = Duration.milliseconds(1)

    /// When to try a candidate again after an attempt failed at `now`; `nil` once that would be
    /// at or past the deadline.
    func nextAttempt(afterFailureAt now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        let next = max(now + retryInterval, start)
        return next < deadline ? next : nil
    }

    /// The handshake role of the peer `local` on a connection it opened simultaneously with
    /// `remote`: the principal that sorts first (by its text) is the Noise initiator, so both
    /// sides agree without a word. `nil` when both are the same principal: no order exists.
    public static func role(of local: Principal, towards remote: Principal) -> HandshakeRole? {
        let (mine, theirs) = (local.description, remote.description)
        guard mine != theirs else { return nil }
        return mine < theirs ? .initiator : .responder
    }
}
