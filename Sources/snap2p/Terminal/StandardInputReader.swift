#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Standard input for async code: a thread does the blocking `read(2)` calls, one per chunk asked
/// for, so a fast pipe is read no faster than the program uses it (nothing piles up in memory).
/// A terminal in raw mode delivers each key press as its own chunk.
final class StandardInputReader: Sendable {
    private let chunks: AsyncStream<[UInt8]>
    private let requests = DispatchSemaphore(value: 0)

    /// The most bytes one chunk holds.
    static let chunkSize = 4096

    init() {
        let (chunks, continuation) = AsyncStream.makeStream(of: [UInt8].self)
        self.chunks = chunks
        let requests = self.requests
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: Self.chunkSize)
            while true {
                requests.wait()
                let count = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR {
                    requests.signal()
                    continue
                }
                guard count > 0 else {
                    continuation.finish()
                    return
                }
                continuation.yield(Array(buffer[..<count]))
            }
        }
        thread.name = "snap2p standard input"
        thread.start()
    }

    /// The next chunk, or `nil` at end of input (or when the task is cancelled).
    func next() async -> [UInt8]? {
        requests.signal()
        var iterator = chunks.makeAsyncIterator()
        return await iterator.next()
    }
}
