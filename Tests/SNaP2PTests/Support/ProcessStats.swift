#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Linux process counters read from /proc (tests that need them are Linux-only).
enum ProcessStats {
    /// Open file descriptors of this process.
    static func openFileDescriptors() -> Int? {
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        var count = 0
        while readdir(directory) != nil { count += 1 }
        return count - 3 // ".", ".." and the descriptor of the listing itself
    }

    /// Resident set size in bytes (VmRSS).
    static func residentBytes() -> Int? {
        guard let file = fopen("/proc/self/status", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix("VmRSS:") {
                let kilobytes = text.split(separator: " ").dropFirst().first.flatMap { Int($0) }
                return kilobytes.map { $0 * 1024 }
            }
        }
        return nil
    }
}
