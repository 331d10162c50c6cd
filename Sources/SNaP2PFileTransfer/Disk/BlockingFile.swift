#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file system call that failed: which, on what, and errno.
public struct FileSystemError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was being done, e.g. `open`.
    public let operation: String
    /// The path it was done to.
    public let path: String
    /// errno.
    public let code: Int32

    /// `cannot OPERATION PATH: reason`.
    public var description: String { "cannot \(operation) \(path): \(String(cString: strerror(code)))" }

    init(_ operation: String, _ path: String, code: Int32 = errno) {
        self.operation = operation
        self.path = path
        self.code = code
    }
}

/// An open file with blocking POSIX I/O at explicit offsets, used only from the transfer threads
/// (never from an event loop or the cooperative pool's hot path). Closed when released.
final class BlockingFile: Sendable {
    let descriptor: Int32
    let path: String

    /// Opens `path` with `flags` (`O_CLOEXEC` added), never following a symlink at the last component.
    init(path: String, flags: Int32, mode: mode_t = 0o666) throws(FileSystemError) {
        let descriptor = open(path, flags | O_CLOEXEC | O_NOFOLLOW, mode)
        guard descriptor >= 0 else { throw FileSystemError("open", path) }
        self.descriptor = descriptor
        self.path = path
    }

    deinit {
        close(descriptor)
    }

    /// The length of a regular file; throws for anything else (a directory, a device, a FIFO).
    func regularFileSize() throws(FileSystemError) -> UInt64 {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw FileSystemError("stat", path) }
        guard status.st_mode & S_IFMT == S_IFREG else { throw FileSystemError("read", path, code: EINVAL) }
        return UInt64(status.st_size)
    }

    /// Fills `buffer` from `offset` (fewer bytes only at the end of the file); returns the count.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(FileSystemError) -> Int {
        var filled = 0
        while filled < buffer.count {
            let count = pread(descriptor, buffer.baseAddress! + filled, buffer.count - filled, off_t(offset) + off_t(filled))
            if count < 0 {
                if errno == EINTR { continue }
                throw FileSystemError("read", path)
            }
            if count == 0 { break }
            filled += count
        }
        return filled
    }

    /// Writes all of `bytes` at `offset`.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) throws(FileSystemError) {
        var written = 0
        while written < bytes.count {
            let count = pwrite(descriptor, bytes.baseAddress! + written, bytes.count - written, off_t(offset) + off_t(written))
            if count < 0 {
                if errno == EINTR { continue }
                throw FileSystemError("write", path)
            }
            written += count
        }
    }
}
