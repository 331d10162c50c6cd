#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Timing, statistics and the result table.
enum Benchmark {
    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// The median of `runs` results of `body`.
    @MainActor
    static func median(_ runs: Int, _ body: () async throws -> Double) async throws -> Double {
        var results: [Double] = []
        for _ in 0..<runs { results.append(try await body()) }
        return percentile(results, 50)
    }

    /// The `p`th percentile (nearest rank).
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    static func format(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    /// User + system CPU seconds this process has used: steadier than wall time on a shared machine.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    static var coreCount: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    /// VmRSS of this process in bytes (Linux; 0 where /proc is missing).
    static func residentBytes() -> Int {
        guard let file = fopen("/proc/self/status", "r") else { return 0 }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix("VmRSS:"), let kilobytes = text.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) {
                return kilobytes * 1024
            }
        }
        return 0
    }

    /// Rows of `what | value | unit`, printed aligned.
    struct Table {
        private var rows: [(String, String, String)] = []

        mutating func add(_ what: String, _ value: String, _ unit: String) {
            rows.append((what, value, unit))
        }

        func print() {
            let nameWidth = rows.map(\.0.count).max() ?? 0
            let valueWidth = rows.map(\.1.count).max() ?? 0
            for (what, value, unit) in rows {
                let name = what + String(repeating: " ", count: nameWidth - what.count)
                let number = String(repeating: " ", count: valueWidth - value.count) + value
                Swift.print("\(name)  \(number) \(unit)")
            }
        }
    }
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
