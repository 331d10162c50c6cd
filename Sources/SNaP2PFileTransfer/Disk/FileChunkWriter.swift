import Crypto
import Foundation
import NIOConcurrencyHelpers

/// Appends received chunks to a file and hashes them on a thread of its own, so disk writes and
/// SHA-256 never run on the event loop and overlap with receiving. At most `limit` bytes wait
/// in memory: ``write(_:)`` suspends beyond that.
///
/// The digest covers the whole file: a resumed transfer's existing prefix `[0, offset)` is read
/// back and hashed first.
final class FileChunkWriter: Sendable {
    private struct State {
        var queue: [[UInt8]] = []
        var queuedBytes = 0
        var failure: FileSystemError?
        /// A writer waiting for the queue to drain below the limit.
        var spaceWaiter: CheckedContinuation<Void, any Error>?
        /// ``finish()`` waiting for the digest.
        var finishWaiter: CheckedContinuation<[UInt8], any Error>?
        var isFinishing = false
    }

    private let state = NIOLockedValueBox(State())
    private let work = DispatchSemaphore(value: 0)
    private let limit: Int

    /// Starts the thread: it hashes `[0, offset)` of `file`, then writes what arrives from `offset` on.
    init(file: BlockingFile, offset: UInt64, limit: Int = 4 << 20) {
        self.limit = limit
        let state = self.state
        let work = self.work
        let thread = Thread {
            var hasher = SHA256()
            var position: UInt64 = 0
            do throws(FileSystemError) {
                try FileDigest.update(&hasher, with: file, upTo: offset)
                position = offset
                while true {
                    work.wait()
                    let (next, isFinishing): ([UInt8]?, Bool) = state.withLockedValue { state in
                        (state.queue.isEmpty ? nil : state.queue.removeFirst(), state.isFinishing)
                    }
                    guard let chunk = next else {
                        if isFinishing { break }
                        continue
                    }
                    // More may be queued than signals are pending: look again at once.
                    work.signal()
                    try chunk.withUnsafeBytes { bytes in
                        Result { () throws(FileSystemError) in
                            try file.write(bytes, at: position)
                            hasher.update(bufferPointer: bytes)
                        }
                    }.get()
                    position += UInt64(chunk.count)
                    let waiter = state.withLockedValue { state in
                        state.queuedBytes -= chunk.count
                        guard state.queuedBytes < limit else { return nil as CheckedContinuation<Void, any Error>? }
                        defer { state.spaceWaiter = nil }
                        return state.spaceWaiter
                    }
                    waiter?.resume()
                }
                let digest = Array(hasher.finalize())
                state.withLockedValue { state in
                    defer { state.finishWaiter = nil }
                    return state.finishWaiter
                }?.resume(returning: digest)
            } catch {
                let (space, finish) = state.withLockedValue { state in
                    state.failure = error
                    state.queue.removeAll()
                    defer { (state.spaceWaiter, state.finishWaiter) = (nil, nil) }
                    return (state.spaceWaiter, state.finishWaiter)
                }
                space?.resume(throwing: error)
                finish?.resume(throwing: error)
            }
        }
        thread.name = "snap2p file writer"
        thread.start()
    }

    deinit {
        // Ends the thread of a writer dropped without ``finish()`` once it wrote what is queued.
        state.withLockedValue { $0.isFinishing = true }
        work.signal()
    }

    /// Queues `chunk` after those before it; suspends while more than the limit waits. Throws the
    /// write error once one happened.
    func write(_ chunk: [UInt8]) async throws {
        let mustWait: Bool = try state.withLockedValue { state in
            if let failure = state.failure { throw failure }
            state.queue.append(chunk)
            state.queuedBytes += chunk.count
            return state.queuedBytes >= limit
        }
        work.signal()
        guard mustWait else { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let outcome: Result<Void, any Error>? = state.withLockedValue { state in
                if let failure = state.failure { return .failure(failure) }
                guard state.queuedBytes >= limit else { return .success(()) }
                state.spaceWaiter = continuation
                return nil
            }
            if let outcome { continuation.resume(with: outcome) }
        }
    }

    /// Waits until everything queued is written and returns the SHA-256 of the whole file.
    func finish() async throws -> [UInt8] {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8], any Error>) in
            let failure: FileSystemError? = state.withLockedValue { state in
                if let failure = state.failure { return failure }
                state.finishWaiter = continuation
                state.isFinishing = true
                return nil
            }
            if let failure {
                continuation.resume(throwing: failure)
            } else {
                work.signal()
            }
        }
    }
}
