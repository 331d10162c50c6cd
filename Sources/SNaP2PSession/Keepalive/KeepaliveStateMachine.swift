/// Session keepalive (PROTOCOL.md §6) as a pure value with an injected clock (unix seconds).
///
/// PING at start and then every ``Configuration/interval``, `seq` counting from 0; every PING is
/// answered with a PONG of the same `seq`; a PING without its PONG for longer than
/// ``Configuration/timeout`` ends the session. The owner calls ``tick(now:)`` at
/// ``nextDeadline`` (or whenever it likes) and sends what comes back.
public struct KeepaliveStateMachine: Sendable {
    /// Intervals, in seconds.
    public struct Configuration: Sendable, Hashable {
        /// Time between PINGs: 30 s, as the reference.
        public var interval: UInt64
        /// How long a PING may wait for its PONG: 10 s, as the reference.
        public var timeout: UInt64

        /// The protocol's defaults unless told otherwise.
        public init(interval: UInt64 = 30, timeout: UInt64 = 10) {
            self.interval = interval
            self.timeout = timeout
        }
    }

    /// What the session must do.
    public enum Action: Sendable, Equatable {
        /// Send PING{seq, ts}.
        case sendPing(seq: UInt64, timestamp: UInt64)
        /// Send PONG{seq, ts}.
        case sendPong(seq: UInt64, timestamp: UInt64)
        /// A PONG is overdue: close the session (TIMEOUT).
        case timedOut(seq: UInt64)
    }

    /// The intervals in force.
    public let configuration: Configuration
    private var nextSequence: UInt64 = 0
    private var nextPingAt: UInt64?
    /// Unanswered PINGs in the order sent: sequence and send time.
    private var outstanding: [(seq: UInt64, sentAt: UInt64)] = []
    private var timedOut = false

    /// A stopped keepalive; ``start(now:)`` sends the first PING.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// When ``tick(now:)`` next has something to do: the next PING or the oldest PONG deadline.
    public var nextDeadline: UInt64? {
        guard !timedOut, let nextPingAt else { return nil }
        guard let oldest = outstanding.first else { return nextPingAt }
        return min(nextPingAt, oldest.sentAt + configuration.timeout + 1)
    }

    /// Starts keepalive when the session is established: the first PING goes out at once.
    public mutating func start(now: UInt64) -> [Action] {
        guard nextPingAt == nil, !timedOut else { return [] }
        return [ping(now: now)]
    }

    /// Reports an overdue PONG or sends the PINGs that are due.
    public mutating func tick(now: UInt64) -> [Action] {
        guard !timedOut, let due = nextPingAt else { return [] }
        if let oldest = outstanding.first, now > oldest.sentAt + configuration.timeout {
            timedOut = true
            return [.timedOut(seq: oldest.seq)]
        }
        guard now >= due else { return [] }
        return [ping(now: now)]
    }

    /// Answers the peer's PING.
    public func receivedPing(seq: UInt64, now: UInt64) -> Action {
        .sendPong(seq: seq, timestamp: now)
    }

    /// Clears the PING this PONG answers; returns the round-trip time in seconds, or `nil` for a
    /// PONG we did not ask for (ignored, as the reference does).
    public mutating func receivedPong(seq: UInt64, now: UInt64) -> UInt64? {
        guard let index = outstanding.firstIndex(where: { $0.seq == seq }) else { return nil }
        let sentAt = outstanding.remove(at: index).sentAt
        return now >= sentAt ? now - sentAt : 0
    }

    private mutating func ping(now: UInt64) -> Action {
        let seq = nextSequence
        nextSequence += 1
        outstanding.append((seq, now))
        nextPingAt = now + configuration.interval
        return .sendPing(seq: seq, timestamp: now)
    }
}
