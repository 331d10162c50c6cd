import NIOConcurrencyHelpers
import NIOCore

/// The received bytes of one stream, handed from its connection's event loop to the app.
///
/// Bounded by the session, not here: the event loop appends only what the flow-control window
/// (fc1 peers) or the socket read pause (other peers) let in. What the reader takes is counted,
/// and `reportConsumption` is called when a count is waiting to be collected with
/// ``takeConsumedByteCount()`` — once per collection, so a busy event loop gets one report for
/// many chunks. Nothing here calls into the session directly.
final class InboundByteQueue: Sendable {
    private enum End {
        case finished
        case failed(any Error)
    }

    private struct State {
        var chunks = CircularBuffer<[UInt8]>()
        var end: End?
        var waiter: CheckedContinuation<[UInt8]?, any Error>?
        var consumedByteCount = 0
        var isReportPending = false

        /// Counts a chunk the reader took; true when a report must be sent.
        mutating func consume(_ chunk: [UInt8]) -> Bool {
            consumedByteCount += chunk.count
            guard !isReportPending else { return false }
            isReportPending = true
            return true
        }
    }

    private let state = NIOLockedValueBox(State())
    private let reportConsumption: @Sendable () -> Void

    init(reportConsumption: @escaping @Sendable () -> Void) {
        self.reportConsumption = reportConsumption
    }

    /// Adds a received chunk (event loop side). Ignored after the end.
    func append(_ chunk: [UInt8]) {
        guard !chunk.isEmpty else { return }
        let (waiter, report): (CheckedContinuation<[UInt8]?, any Error>?, Bool) = state.withLockedValue { state in
            guard state.end == nil else { return (nil, false) }
            guard let waiter = state.waiter else {
                state.chunks.append(chunk)
                return (nil, false)
            }
            state.waiter = nil
            return (waiter, state.consume(chunk))
        }
        if report { reportConsumption() }
        waiter?.resume(returning: chunk)
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

    /// The bytes taken since the last call (event loop side).
    func takeConsumedByteCount() -> Int {
        state.withLockedValue { state in
            state.isReportPending = false
            defer { state.consumedByteCount = 0 }
            return state.consumedByteCount
        }
    }

    /// The next chunk, `nil` after a clean end; throws the error the stream ended with, or
    /// ``SNaP2PError/concurrentRead`` while another task is already waiting on this stream.
    func next() async throws -> [UInt8]? {
        if let taken = state.withLockedValue({ Self.take(from: &$0) }) { return try deliver(taken).get() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8]?, any Error>) in
                let taken: Taken? = state.withLockedValue { state in
                    if let taken = Self.take(from: &state) { return taken }
                    if state.waiter != nil { return Taken(outcome: .failure(SNaP2PError.concurrentRead), isReportDue: false) }
                    if Task.isCancelled { return Taken(outcome: .failure(CancellationError()), isReportDue: false) }
                    state.waiter = continuation
                    return nil
                }
                if let taken { continuation.resume(with: deliver(taken)) }
            }
        } onCancel: {
            let waiter = state.withLockedValue { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// What the reader gets without waiting, and whether that makes a consumption report due.
    private struct Taken {
        var outcome: Result<[UInt8]?, any Error>
        var isReportDue: Bool
    }

    private static func take(from state: inout State) -> Taken? {
        if let chunk = state.chunks.popFirst() {
            return Taken(outcome: .success(chunk), isReportDue: state.consume(chunk))
        }
        switch state.end {
        case .finished: return Taken(outcome: .success(nil), isReportDue: false)
        case .failed(let error): return Taken(outcome: .failure(error), isReportDue: false)
        case nil: return nil
        }
    }

    /// Sends a report that fell due (outside the lock) and hands over the outcome.
    private func deliver(_ taken: Taken) -> Result<[UInt8]?, any Error> {
        if taken.isReportDue { reportConsumption() }
        return taken.outcome
    }
}
