import Foundation
import NIOConcurrencyHelpers

/// Reads a range of a file ahead of the sender on a thread of its own, a bounded number of chunks
/// at a time, so disk reads never block the event loop or the cooperative pool and memory stays
/// at `depth × chunkSize` whatever the file's size.
final class FileChunkReader: Sendable {
    private struct State {
        var ready: [[UInt8]] = []
        var end: Result<Void, FileSystemError>?
        var waiter: CheckedContinuation<[UInt8]?, any Error>?
        var isCancelled = false

        /// What a reader gets without waiting: a chunk, the end, or nothing yet.
        mutating func take() -> Result<[UInt8]?, any Error>? {
            if !ready.isEmpty { return .success(ready.removeFirst()) }
            switch end {
            case .success: return .success(nil)
            case .failure(let error): return .failure(error)
            case nil: return nil
            }
        }
    }

    private let state = NIOLockedValueBox(State())
    /// Chunks the thread may read ahead of the sender; a chunk taken frees its slot.
    private let slots: DispatchSemaphore

    /// Starts reading `range` of `file` in chunks of `chunkSize` bytes.
    init(file: BlockingFile, range: Range<UInt64>, chunkSize: Int = 256 << 10, depth: Int = 8) {
        let state = self.state
        // Made at 0 and raised, not made at `depth`: libdispatch refuses to free a semaphore left
        // below its initial value, which a reader dropped mid-file would do.
        let slots = DispatchSemaphore(value: 0)
        for _ in 0..<depth { slots.signal() }
        self.slots = slots
        let thread = Thread {
            var offset = range.lowerBound
            var outcome: Result<Void, FileSystemError> = .success(())
            while offset < range.upperBound {
                slots.wait()
                if state.withLockedValue({ $0.isCancelled }) { break }
                let length = Int(min(UInt64(chunkSize), range.upperBound - offset))
                do throws(FileSystemError) {
                    var chunk = [UInt8](repeating: 0, count: length)
                    let count = try chunk.withUnsafeMutableBytes { bytes in
                        Result { () throws(FileSystemError) in try file.read(into: bytes, at: offset) }
                    }.get()
                    chunk.removeLast(length - count)
                    // The file shrank since it was measured: what was hashed can no longer be sent.
                    guard chunk.count == length else {
                        outcome = .failure(FileSystemError("read all of", file.path, code: EIO))
                        break
                    }
                    offset += UInt64(length)
                    let waiter = state.withLockedValue { state in
                        defer { state.waiter = nil }
                        if state.waiter == nil { state.ready.append(chunk) }
                        return state.waiter
                    }
                    if let waiter {
                        slots.signal()
                        waiter.resume(returning: chunk)
                    }
                } catch {
                    outcome = .failure(error)
                    break
                }
            }
            let waiter = state.withLockedValue { state in
                state.end = outcome
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(with: outcome.map { nil }.mapError { $0 as any Error })
        }
        thread.name = "snap2p file reader"
        thread.start()
    }

    deinit {
        cancel()
    }

    /// The next chunk in order, `nil` after the last; throws if the file could not be read.
    func next() async throws -> [UInt8]? {
        if let taken = state.withLockedValue({ $0.take() }) { return try freeingSlot(taken) }
        return try await withCheckedThrowingContinuation { continuation in
            let taken = state.withLockedValue { state in
                let taken = state.take()
                if taken == nil { state.waiter = continuation }
                return taken
            }
            if let taken { continuation.resume(with: Result { try freeingSlot(taken) }) }
        }
    }

    /// Stops the thread before its next chunk.
    func cancel() {
        state.withLockedValue { $0.isCancelled = true }
        slots.signal()
    }

    /// A chunk taken from the queue frees a slot for the thread.
    private func freeingSlot(_ taken: Result<[UInt8]?, any Error>) throws -> [UInt8]? {
        let chunk = try taken.get()
        if chunk != nil { slots.signal() }
        return chunk
    }
}
