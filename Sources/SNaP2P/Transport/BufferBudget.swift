import NIOConcurrencyHelpers

/// The unread stream bytes all sessions of one peer hold, against ``ResourceLimits/bufferedBytes``.
/// Each session reports its share as it changes; over the limit, a session that holds unread
/// bytes stops reading from its socket and waits here until the total is back within the limit.
final class BufferBudget: Sendable {
    private struct State {
        var total = 0
        var peak = 0
        var waiting: [ObjectIdentifier: SessionLink] = [:]
    }

    /// The most unread bytes allowed before sessions pause their reads.
    let limit: Int
    private let state = NIOLockedValueBox(State())

    init(limit: Int) {
        self.limit = limit
    }

    /// The highest total seen, for tests and benchmarks.
    var peak: Int { state.withLockedValue { $0.peak } }

    /// Moves a session's share by `delta`. Returns whether the total is now over the limit, and
    /// the waiting sessions to resume when it is back within it.
    func adjust(by delta: Int) -> (isOverLimit: Bool, resume: [SessionLink]) {
        state.withLockedValue { state in
            state.total += delta
            state.peak = max(state.peak, state.total)
            guard state.total <= limit, !state.waiting.isEmpty else { return (state.total > limit, []) }
            let resume = Array(state.waiting.values)
            state.waiting.removeAll()
            return (false, resume)
        }
    }

    /// Parks a session until the total is back within the limit; false when it already is (read on).
    func wait(_ session: ObjectIdentifier, link: SessionLink) -> Bool {
        state.withLockedValue { state in
            guard state.total > limit else { return false }
            state.waiting[session] = link
            return true
        }
    }

    /// Forgets a parked session (it ended).
    func stopWaiting(_ session: ObjectIdentifier) {
        state.withLockedValue { _ = $0.waiting.removeValue(forKey: session) }
    }
}
