#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Timing, statistics and the result table.
enum Benchmark {
    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// The median of `runs` results of `body`.
    @MainActor
    static func median(_ runs: Int, _ body: () async throws -> Double) async throws -> Double {
        try await medianRun(runs, by: { $0 }, body)
    }

    /// The run whose `key` is the median of `runs` runs of `body`, so figures measured together
    /// (a rate and the CPU it took) are reported from the same run.
    @MainActor
    static func medianRun<Run>(_ runs: Int, by key: (Run) -> Double, _ body: () async throws -> Run) async throws -> Run {
        var results: [Run] = []
        for _ in 0..<runs { results.append(try await body()) }
        return results.sorted { key($0) < key($1) }[rank(50, of: results.count)]
    }

    /// The `p`th percentile (nearest rank).
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        return values.sorted()[rank(p, of: values.count)]
    }

    /// The index of the `p`th percentile (nearest rank) among `count` sorted values.
    private static func rank(_ p: Double, of count: Int) -> Int {
        min(max(Int((p / 100 * Double(count)).rounded(.up)) - 1, 0), count - 1)
    }

    /// `value` with at most `decimals` decimals (none when it is whole).
    static func format(_ value: Double, decimals: Int = 1) -> String {
        let scale = (0..<decimals).reduce(1.0) { product, _ in product * 10 }
        let rounded = (value * scale).rounded() / scale
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
        return cpuSeconds(usage)
    }

    /// User + system CPU seconds in a resource usage (of this process or of a child that ended).
    static func cpuSeconds(_ usage: rusage) -> Double {
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    static var coreCount: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    /// VmRSS in bytes of this process or of the process `pid` (Linux; 0 where /proc is missing);
    /// with `peak`, VmHWM, the most it ever had.
    static func residentBytes(process pid: pid_t? = nil, peak: Bool = false) -> Int {
        let status = contents(of: "/proc/\(pid.map(String.init) ?? "self")/status") ?? ""
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(peak ? "VmHWM:" : "VmRSS:") }),
              let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return 0 }
        return kilobytes * 1024
    }

    /// The text of a small file such as /proc/PID/status, whose size the file system does not
    /// report (nil if it cannot be read).
    static func contents(of path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var block = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&block, 1, block.count, file)
            guard count > 0 else { break }
            bytes += block[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Rows of `what | value | unit`, printed aligned.
    /// Writes `bytes` of random-looking data to `path` (one random MiB repeated: nothing on the
    /// way compresses or deduplicates a 1 MiB period).
    static func writeIncompressibleFile(at path: String, bytes: Int) throws {
        var generator = SystemRandomNumberGenerator()
        let block = Data((0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        guard FileManager.default.createFile(atPath: path, contents: nil) else { throw BenchmarkFailure("cannot create \(path)") }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var written = 0
        while written < bytes {
            let count = min(block.count, bytes - written)
            try handle.write(contentsOf: block.prefix(count))
            written += count
        }
    }

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
