import NIOConcurrencyHelpers
import NIOCore

/// The received bytes of one stream, handed from its connection's event loop to the app.
///
/// Bounded by the session, not here: the event loop appends only what the flow-control window
/// (fc1 peers) or the socket read pause (other peers) let in, and it learns how far the app has
/// read through `onConsume`, called with the size of every chunk the app takes. One consumer at
/// a time, like any byte stream.
final class InboundByteQueue: Sendable {
    private enum End {
        case finished
        case failed(any Error)
    }

    private struct State {
        var chunks = CircularBuffer<[UInt8]>()
        var end: End?
        var waiter: CheckedContinuation<[UInt8]?, any Error>?
    }

    private let state = NIOLockedValueBox(State())
    private let onConsume: @Sendable (Int) -> Void

    init(onConsume: @escaping @Sendable (Int) -> Void) {
        self.onConsume = onConsume
    }

    /// Adds a received chunk (event loop side). Ignored after the end.
    func append(_ chunk: [UInt8]) {
        guard !chunk.isEmpty else { return }
        let waiter: CheckedContinuation<[UInt8]?, any Error>? = state.withLockedValue { state in
            guard state.end == nil else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.chunks.append(chunk)
            return nil
        }
        if let waiter {
            onConsume(chunk.count)
            waiter.resume(returning: chunk)
        }
    }

    /// Ends the byte stream (event loop side): cleanly after the buffered chunks, or with an
    /// error, which drops whatever was not read yet. Only the first end counts.
    func finish(throwing error: (any Error)? = nil) {
        let waiter: CheckedContinuation<[UInt8]?, any Error>? = state.withLockedValue { state in
            guard state.end == nil else { return nil }
            if let error {
                state.end = .failed(error)
                state.chunks.removeAll()
            } else {
                state.end = .finished
            }
            defer { state.waiter = nil }
            return state.waiter
        }
        if let error {
            waiter?.resume(throwing: error)
        } else {
            waiter?.resume(returning: nil)
        }
    }

    /// The next chunk, `nil` after a clean end; throws the error the stream ended with.
    func next() async throws -> [UInt8]? {
        enum Immediate {
            case chunk([UInt8]?)
            case failure(any Error)
            case wait
        }
        let immediate: Immediate = state.withLockedValue { state in
            if let chunk = state.chunks.popFirst() { return .chunk(chunk) }
            switch state.end {
            case .finished: return .chunk(nil)
            case .failed(let error): return .failure(error)
            case nil: return .wait
            }
        }
        switch immediate {
        case .chunk(let chunk):
            if let chunk { onConsume(chunk.count) }
            return chunk
        case .failure(let error):
            throw error
        case .wait:
            break
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8]?, any Error>) in
                enum Outcome {
                    case parked
                    case chunk([UInt8]?)
                    case failure(any Error)
                }
                let outcome: Outcome = state.withLockedValue { state in
                    if let chunk = state.chunks.popFirst() { return .chunk(chunk) }
                    switch state.end {
                    case .finished: return .chunk(nil)
                    case .failed(let error): return .failure(error)
                    case nil:
                        precondition(state.waiter == nil, "a stream's inbound bytes have one reader at a time")
                        if Task.isCancelled { return .failure(CancellationError()) }
                        state.waiter = continuation
                        return .parked
                    }
                }
                switch outcome {
                case .parked:
                    break
                case .chunk(let chunk):
                    if let chunk { onConsume(chunk.count) }
                    continuation.resume(returning: chunk)
                case .failure(let error):
                    continuation.resume(throwing: error)
                }
            }
        } onCancel: {
            let waiter = state.withLockedValue { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }
}
