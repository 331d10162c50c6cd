#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SNaP2PWire

/// The directory holding the wallet files: created owner-only (0700), files written owner-only
/// (0600) and atomically (a crash leaves the old file or the new one, never a torn one), files
/// readable by anyone else refused.
struct WalletDirectory: Sendable {
    /// Where the files live.
    let path: String
    /// Failure injection for tests: called after a replacement file is written and synced, before it
    /// is renamed into place; returning `true` abandons the write as a crash at that moment would.
    var interruptBeforeRename: (@Sendable (_ fileName: String) -> Bool)?

    /// Path of a file in the directory.
    func filePath(_ name: String) -> String { path + "/" + name }

    /// Creates the directory and any missing parents, each owner-only.
    func create() throws(WalletStoreError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
                throw .fileSystem(operation: "create directory", path: prefix, errno: errno)
            }
        }
    }

    /// Runs `body` holding an exclusive lock on the directory, so two processes updating the
    /// registry at once cannot lose each other's changes.
    func withExclusiveLock<R>(_ body: () throws(WalletStoreError) -> R) throws(WalletStoreError) -> R {
        try create()
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .fileSystem(operation: "open directory", path: path, errno: errno) }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { throw .fileSystem(operation: "lock", path: path, errno: errno) }
        }
        return try body()
    }

    /// The bytes of a file, or `nil` when it does not exist. With `ownerOnly`, a file that group or
    /// others may read is refused before a byte of it is read.
    func contents(of name: String, maximumBytes: Int, ownerOnly: Bool) throws(WalletStoreError) -> [UInt8]? {
        let filePath = filePath(name)
        let descriptor = open(filePath, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
            throw .fileSystem(operation: "open", path: filePath, errno: errno)
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .fileSystem(operation: "stat", path: filePath, errno: errno) }
        guard status.st_mode & mode_t(S_IFMT) == mode_t(S_IFREG) else { throw .malformedFile(path: filePath, reason: "not a regular file") }
        let mode = UInt32(status.st_mode) & 0o7777
        if ownerOnly && mode & 0o077 != 0 { throw .insecurePermissions(path: filePath, mode: mode) }
        guard Int(status.st_size) <= maximumBytes else { throw .fileTooLarge(path: filePath, maximumBytes: maximumBytes) }

        var bytes = [UInt8](repeating: 0, count: Int(status.st_size))
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw .fileSystem(operation: "read", path: filePath, errno: errno) }
            if count == 0 { break }
            offset += count
        }
        return Array(bytes[..<offset])
    }

    /// Replaces (or creates) a file atomically: the bytes go to an owner-only temporary file in the
    /// same directory, which is synced, renamed over the target, and the directory synced.
    func replace(_ name: String, with bytes: [UInt8]) throws(WalletStoreError) {
        let target = filePath(name)
        let temporary = filePath(".\(name).\(Hex.encode(SecureRandom.bytes(8))).tmp")
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .fileSystem(operation: "create", path: temporary, errno: errno) }
        var renamed = false
        defer { if !renamed { unlink(temporary) } }
        do {
            try writeAndSync(bytes, to: descriptor, path: temporary)
        } catch {
            close(descriptor)
            throw error
        }
        close(descriptor)
        if let interrupt = interruptBeforeRename, interrupt(name) { throw .writeInterrupted(path: target) }
        guard rename(temporary, target) == 0 else { throw .fileSystem(operation: "rename", path: target, errno: errno) }
        renamed = true
        try syncDirectory()
    }

    /// Writes every byte with the exact mode 0600 (a umask can only narrow it, but make sure) and syncs.
    private func writeAndSync(_ bytes: [UInt8], to descriptor: Int32, path: String) throws(WalletStoreError) {
        guard fchmod(descriptor, 0o600) == 0 else { throw .fileSystem(operation: "chmod", path: path, errno: errno) }
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw .fileSystem(operation: "write", path: path, errno: errno) }
            offset += count
        }
        guard fsync(descriptor) == 0 else { throw .fileSystem(operation: "fsync", path: path, errno: errno) }
    }

    /// Removes a file (a missing one is fine) and syncs the directory so the removal is durable.
    func remove(_ name: String) throws(WalletStoreError) {
        let filePath = filePath(name)
        if unlink(filePath) != 0 && errno != ENOENT {
            throw .fileSystem(operation: "remove", path: filePath, errno: errno)
        }
        try syncDirectory()
    }

    /// Makes renames and removals in the directory durable.
    private func syncDirectory() throws(WalletStoreError) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .fileSystem(operation: "open directory", path: path, errno: errno) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw .fileSystem(operation: "fsync", path: path, errno: errno) }
    }
}
