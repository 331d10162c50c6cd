#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Secret key material in memory this module allocates itself, so it can be wiped when released.
///
/// Swift arrays may be copied or moved by the runtime at will; a fixed buffer we own is the only
/// storage we can reliably zero. The bytes never change after creation, which makes sharing safe.
package final class SecretBytes: @unchecked Sendable {
    private let storage: UnsafeMutableRawBufferPointer

    /// Copies `bytes` into owned storage.
    package init(_ bytes: some Collection<UInt8>) {
        storage = .allocate(byteCount: bytes.count, alignment: 8)
        storage.copyBytes(from: bytes)
    }

    /// Fills owned storage of `count` bytes through `initializer`; the storage is wiped if it throws.
    package init<E: Error>(
        count: Int,
        initializer: (UnsafeMutableRawBufferPointer) throws(E) -> Void
    ) throws(E) {
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 8)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
        do {
            try initializer(storage)
        } catch {
            secureZero(storage)
            storage.deallocate()
            throw error
        }
        self.storage = storage
    }

    /// The number of secret bytes.
    package var count: Int { storage.count }

    /// Lends the bytes without copying them into memory we cannot wipe.
    package func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(storage))
    }

    deinit {
        secureZero(storage)
        storage.deallocate()
    }
}

/// Zeroes memory in a way the optimizer may not remove as a dead store.
package func secureZero(_ buffer: UnsafeMutableRawBufferPointer) {
    guard let base = buffer.baseAddress, buffer.count > 0 else { return }
    #if canImport(Darwin)
    _ = memset_s(base, buffer.count, 0, buffer.count)
    #else
    explicit_bzero(base, buffer.count)
    #endif
}

/// Zeroes an array this code owns (its own buffer, not a shared copy) before it is released.
package func secureZero(_ bytes: inout [UInt8]) {
    bytes.withUnsafeMutableBytes { secureZero($0) }
}
