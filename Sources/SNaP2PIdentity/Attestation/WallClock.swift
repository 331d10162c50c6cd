#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Unix seconds from the system clock: the time attestations, HELLO and PING carry. Pure layers
/// take the time as a parameter; this is what the edges pass them.
public enum WallClock {
    /// Seconds since 1970-01-01 UTC.
    public static func unixSeconds() -> UInt64 {
        UInt64(max(0, time(nil)))
    }
}
