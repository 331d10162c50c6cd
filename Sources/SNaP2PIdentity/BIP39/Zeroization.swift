#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Array where Element == UInt8 {
    /// Overwrites the bytes with zeros through a call the optimizer may not drop, so a seed, key or
    /// decrypted phrase does not linger in freed memory. Only this array's own buffer is cleared:
    /// copies made earlier (copy-on-write) must be zeroed by their owners.
    package mutating func zeroize() {
        withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress, buffer.count > 0 else { return }
            #if canImport(Darwin)
            _ = memset_s(base, buffer.count, 0, buffer.count)
            #else
            explicit_bzero(base, buffer.count)
            #endif
        }
    }
}
