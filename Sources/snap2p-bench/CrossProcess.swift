import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A process the benchmark started: `snap2p listen`/`dial`, or this binary in a plain-echo mode.
/// Spawned with posix_spawn rather than Foundation's `Process`, because reaping it ourselves with
/// wait4 gives its CPU time (all threads, until exit). Its output (stdout and stderr) goes to a
/// file, not a pipe: a listener prints a line per session and must never block on a full pipe.
struct ChildProcess: Sendable {
    let pid: pid_t
    let command: String
    private let outputPath: String

    /// What a child that ended left behind.
    struct Ended {
        let command: String
        let events: [ChildEvent]
        /// User + system CPU seconds of the whole process.
        let cpuSeconds: Double
        /// The most resident memory it had, in bytes.
        let peakResidentBytes: Int

        /// A figure (`key` in the JSON) of the last `done` event.
        func done(_ field: KeyPath<ChildEvent, Double?>, key: String) throws -> Double {
            guard let value = events.last(where: { $0.event == "done" })?[keyPath: field] else {
                throw BenchmarkFailure("\(command): no done event with \(key)")
            }
            return value
        }
    }

    /// Starts `executable` with `arguments`; stdin is /dev/null.
    static func spawn(_ executable: String, _ arguments: [String]) throws -> ChildProcess {
        var template = Array("/tmp/snap2p-bench-XXXXXX".utf8CString)
        let output = mkstemp(&template)
        guard output >= 0 else { throw BenchmarkFailure("cannot create an output file: errno \(errno)") }
        defer { close(output) }
        // Only the child being started gets it, as its stdout and stderr.
        _ = fcntl(output, F_SETFD, FD_CLOEXEC)
        let outputPath = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, output, 2)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let environment = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + environment).forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, nil, argv, environment)
        let command = ([(executable as NSString).lastPathComponent] + arguments).joined(separator: " ")
        guard result == 0 else {
            unlink(outputPath)
            throw BenchmarkFailure("cannot start \(command): \(String(cString: strerror(result)))")
        }
        return ChildProcess(pid: pid, command: command, outputPath: outputPath)
    }

    /// The JSON event lines printed so far (other lines are skipped).
    func events() -> [ChildEvent] {
        outputLines().compactMap { try? JSONDecoder().decode(ChildEvent.self, from: Data($0.utf8)) }
    }

    /// Waits until the child prints the event `name`.
    func awaitEvent(_ name: String, timeout: Duration = .seconds(60)) async throws -> ChildEvent {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let event = events().first(where: { $0.event == name }) { return event }
            guard let state = statFields()?.first, state != "Z" else { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw failure("printed no \"\(name)\" event")
    }

    /// CPU seconds (user + system) the child has used so far, from /proc/PID/stat.
    func cpuSeconds() -> Double {
        // utime and stime, in clock ticks, are fields 14 and 15.
        guard let fields = statFields(), fields.count > 12,
              let user = Double(fields[11]), let system = Double(fields[12])
        else { return .nan }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The fields of /proc/PID/stat from the third (state) on: those after the parenthesised
    /// command name, which may hold spaces. Nil once the process is reaped.
    private func statFields() -> [Substring]? {
        guard let stat = Benchmark.contents(of: "/proc/\(pid)/stat"), let nameEnd = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: nameEnd)...].split(separator: " ")
    }

    /// Waits for the child to exit by itself; throws unless it exits with status 0.
    func wait(timeout: Duration = .seconds(600)) async throws -> Ended {
        let deadline = ContinuousClock.now + timeout
        while true {
            var status: Int32 = 0
            var usage = rusage()
            let reaped = wait4(pid, &status, WNOHANG, &usage)
            if reaped == pid {
                defer { unlink(outputPath) }
                let events = events()
                guard status == 0 else { throw failure(Self.describe(status: status), events: events) }
                // ru_maxrss is in KiB on Linux.
                return Ended(
                    command: command, events: events, cpuSeconds: Benchmark.cpuSeconds(usage), peakResidentBytes: usage.ru_maxrss * 1024)
            }
            guard reaped == 0 else { throw BenchmarkFailure("\(command): wait4 failed: errno \(errno)") }
            guard ContinuousClock.now < deadline else {
                terminate()
                throw BenchmarkFailure("\(command): still running after \(timeout); killed")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Ends a child that runs until told (a listener, a plain echo server).
    func terminate() {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        unlink(outputPath)
    }

    /// Runs `executable` to completion.
    static func run(_ executable: String, _ arguments: [String], timeout: Duration = .seconds(600)) async throws -> Ended {
        try await spawn(executable, arguments).wait(timeout: timeout)
    }

    private func outputLines() -> [Substring] {
        (Benchmark.contents(of: outputPath) ?? "").split(separator: "\n")
    }

    /// A failure quoting the child's `error` event (with its hint) or else its last lines.
    private func failure(_ what: String, events: [ChildEvent]? = nil) -> BenchmarkFailure {
        let reported = (events ?? self.events()).last { $0.event == "error" }
        let detail = reported.map { [$0.error, $0.hint].compactMap { $0 }.joined(separator: "; ") }
            ?? outputLines().suffix(5).joined(separator: "\n  ")
        return BenchmarkFailure("\(command): \(what)\n  \(detail)")
    }

    private static func describe(status: Int32) -> String {
        status & 0x7f == 0 ? "exited with status \((status >> 8) & 0xff)" : "killed by signal \(status & 0x7f)"
    }
}

/// One JSON line of `snap2p listen`/`dial --json` (docs/CLI.md), or of the plain echo, which
/// prints the same fields. Only the fields the benchmark reads.
struct ChildEvent: Decodable, Sendable {
    let event: String
    let port: Int?
    let megabytesPerSecond: Double?
    let handshakesPerSecond: Double?
    let error: String?
    let hint: String?

    enum CodingKeys: String, CodingKey {
        case event, port, error, hint
        case megabytesPerSecond = "mb_per_s"
        case handshakesPerSecond = "handshakes_per_second"
    }
}

/// Where the executables are: next to the running benchmark, as `swift build` puts them.
enum Executables {
    /// This benchmark binary (re-executed for the plain echo baseline).
    static let bench: String = {
        var path = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &path, path.count - 1)
        guard length > 0 else { return CommandLine.arguments[0] }
        return String(decoding: path[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    /// The `snap2p` CLI beside this binary; a clear failure if it was not built.
    static func snap2p() throws -> String {
        let path = ((bench as NSString).deletingLastPathComponent as NSString).appendingPathComponent("snap2p")
        guard access(path, X_OK) == 0 else {
            throw BenchmarkFailure("""
                the cross-process sections run the CLI, but \(path) is missing: \
                build it too (`swift build -c release`, or `make bench`, builds both products)
                """)
        }
        return path
    }
}
