import NIOConcurrencyHelpers

/// How much of a stream's written data waits to be sealed, shared by the ``SNaP2PStream`` and its
/// connection's handler.
///
/// A write that finds less than ``limit`` waiting is handed to the event loop and returns at once,
/// so a writer does not wait for a thread hop per call; beyond the limit it waits until its bytes
/// are sealed. Once the stream can no longer be written (finished, closed, reset, connection gone),
/// every later write throws the reason.
final class StreamWriteGate: Sendable {
    enum Admission {
        /// Queued; nothing to wait for.
        case buffered
        /// Queued past the limit: wait until these bytes are sealed.
        case mustWait
        /// Writing has ended for this reason.
        case refused(SNaP2PError)
    }

    private struct State {
        var waiting = 0
        var closedBecause: SNaP2PError?
    }

    /// Bytes that may wait before writers are held back.
    let limit: Int
    private let state = NIOLockedValueBox(State())

    init(limit: Int) {
        self.limit = limit
    }

    /// Counts `byteCount` more waiting bytes (app side).
    func admit(_ byteCount: Int) -> Admission {
        state.withLockedValue { state in
            if let reason = state.closedBecause { return .refused(reason) }
            let before = state.waiting
            state.waiting += byteCount
            return before < limit ? .buffered : .mustWait
        }
    }

    /// `byteCount` waiting bytes were sealed or dropped (event loop side).
    func release(_ byteCount: Int) {
        state.withLockedValue { $0.waiting -= byteCount }
    }

    /// Refuses all further writes with `reason`; the first reason stays.
    func close(_ reason: SNaP2PError) {
        state.withLockedValue { state in
            if state.closedBecause == nil { state.closedBecause = reason }
        }
    }

    /// Why writing ended, if it has.
    var closedBecause: SNaP2PError? { state.withLockedValue { $0.closedBecause } }
}
