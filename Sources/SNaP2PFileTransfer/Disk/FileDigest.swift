import Crypto
import Foundation

/// SHA-256 over files: before a file is offered, and over the part a resumed transfer already holds.
enum FileDigest {
    /// Hashes the first `size` bytes of `file` on a thread of its own, calling `progress` with
    /// the bytes hashed so far after each MiB; throws if the file is shorter than `size`.
    static func sha256(
        of file: BlockingFile, size: UInt64, progress: @escaping @Sendable (UInt64) -> Void
    ) async throws -> [UInt8] {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { () throws(FileSystemError) in
                    var hasher = SHA256()
                    try update(&hasher, with: file, upTo: size, progress: progress)
                    return Array(hasher.finalize())
                })
            }
            thread.name = "snap2p file hash"
            thread.start()
        }
    }

    /// Feeds `[0, end)` of `file` to `hasher` in 1 MiB reads (blocking: call it from a thread of
    /// the transfer's own).
    static func update(
        _ hasher: inout SHA256, with file: BlockingFile, upTo end: UInt64, progress: (UInt64) -> Void = { _ in }
    ) throws(FileSystemError) {
        guard end > 0 else { return }
        var buffer = [UInt8](repeating: 0, count: Int(min(end, 1 << 20)))
        var offset: UInt64 = 0
        while offset < end {
            let wanted = Int(min(UInt64(buffer.count), end - offset))
            let count = try buffer.withUnsafeMutableBytes { bytes in
                Result { () throws(FileSystemError) in
                    try file.read(into: UnsafeMutableRawBufferPointer(rebasing: bytes[..<wanted]), at: offset)
                }
            }.get()
            guard count == wanted else { throw FileSystemError("read all of", file.path, code: EIO) }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            offset += UInt64(count)
            progress(offset)
        }
    }
}
