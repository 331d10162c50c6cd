#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Unix seconds from the system clock, for HELLO, PING and attestation times.
enum WallClock {
    static func unixSeconds() -> UInt64 {
        UInt64(max(0, time(nil)))
    }
}
