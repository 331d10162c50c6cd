import NIOConcurrencyHelpers
import NIOCore

/// The sessions a listener accepted that are still open, so that a shutdown can drain them. Once
/// draining, it takes no more: a handshake that completes during the drain is closed at once.
final class SessionRegistry: Sendable {
    /// One open session: how to reach it and when it ends.
    struct Entry: Sendable {
        let link: SessionLink
        let closed: EventLoopFuture<SNaP2PError?>
    }

    private struct State {
        var nextID = 0
        var sessions: [Int: Entry] = [:]
        var isDraining = false
    }

    private let state = NIOLockedValueBox(State())

    /// Keeps `entry` until its session ends; false (and nothing kept) while draining.
    func add(_ entry: Entry) -> Bool {
        let id: Int? = state.withLockedValue { state in
            guard !state.isDraining else { return nil }
            let id = state.nextID
            state.nextID += 1
            state.sessions[id] = entry
            return id
        }
        guard let id else { return false }
        entry.closed.whenComplete { [state] _ in state.withLockedValue { _ = $0.sessions.removeValue(forKey: id) } }
        return true
    }

    /// Takes no more sessions from now on; returns those still open.
    func beginDraining() -> [Entry] {
        state.withLockedValue { state in
            state.isDraining = true
            return Array(state.sessions.values)
        }
    }
}
