import Foundation
import Testing

/// Runs the built `snap2p` binary (found next to the test bundle in the products directory) the way
/// a user or a script would: arguments, standard input, environment; captures both outputs.
struct SNaP2PExecutable {
    /// What a run produced.
    struct Result {
        let status: Int32
        let standardOutput: String
        let standardError: String

        /// Standard output split into lines, without the empty one after the final newline.
        var lines: [String] { standardOutput.split(separator: "\n").map(String.init) }
    }

    /// The `snap2p` executable in the products directory of this build.
    static let url: URL? = {
        let starts = [Bundle.main.bundleURL, Bundle.main.executableURL, URL(fileURLWithPath: CommandLine.arguments[0])]
            + Bundle.allBundles.map(\.bundleURL)
        for start in starts.compactMap({ $0 }) {
            var directory = start.deletingLastPathComponent()
            for _ in 0..<4 {
                let candidate = directory.appendingPathComponent("snap2p")
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                directory = directory.deletingLastPathComponent()
            }
        }
        return nil
    }()

    /// ASAN_OPTIONS, LSAN_OPTIONS, TSAN_OPTIONS...: a sanitized test run (`make asan`, `make tsan`)
    /// passes its settings, such as leak suppressions, to the `snap2p` processes it starts.
    static let sanitizerOptions: [String: String] =
        ProcessInfo.processInfo.environment.filter { $0.key.hasSuffix("SAN_OPTIONS") }

    /// Runs `snap2p arguments...` with `input` on standard input and `environment` added to a minimal
    /// one (HOME points at a fresh temporary directory so nothing touches the real `~/.snap2p`).
    static func run(_ arguments: [String], input: String = "", environment: [String: String] = [:]) async throws -> Result {
        let executable = try #require(url, "the snap2p binary was not found next to the test bundle")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("snap2p-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outputURL = scratch.appendingPathComponent("stdout")
        let errorURL = scratch.appendingPathComponent("stderr")
        try Data().write(to: outputURL)
        try Data().write(to: errorURL)

        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var base = ["HOME": scratch.path, "PATH": "/usr/bin:/bin"].merging(sanitizerOptions) { _, new in new }
        base.merge(environment) { _, new in new }
        process.environment = base
        let inputPipe = Pipe()
        process.standardInput = inputPipe
        let output = try FileHandle(forWritingTo: outputURL)
        let error = try FileHandle(forWritingTo: errorURL)
        process.standardOutput = output
        process.standardError = error

        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            let outcome = ProcessOutcome(continuation)
            process.terminationHandler = { outcome.resume(.success($0.terminationStatus)) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                outcome.resume(.failure(error))
                return
            }
            inputPipe.fileHandleForWriting.write(Data(input.utf8))
            try? inputPipe.fileHandleForWriting.close()
            let pid = process.processIdentifier
            Task.detached { await outcome.watch(pid: pid, command: arguments.first ?? "snap2p") }
        }
        try output.close()
        try error.close()
        return Result(
            status: status,
            standardOutput: try String(contentsOf: outputURL, encoding: .utf8),
            standardError: try String(contentsOf: errorURL, encoding: .utf8))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension SNaP2PExecutable {
    /// One exchange with a program at a terminal: wait until the output shows `prompt`, then type `reply`.
    struct Exchange: Sendable {
        let prompt: String
        /// Whether Enter follows the reply (not when typing part of a line).
        var pressesEnter = true
        let reply: @Sendable (_ screen: String) -> String
    }

    /// Runs `snap2p` on a pseudo-terminal (standard input, output and error all on it), answering
    /// its prompts in order, and returns everything the terminal showed (including any echo).
    static func runInTerminal(_ arguments: [String], exchanges: [Exchange], environment: [String: String] = [:]) async throws -> (status: Int32, screen: String) {
        let executable = try #require(url, "the snap2p binary was not found next to the test bundle")
        let master = PseudoTerminal.openMaster(O_RDWR | O_NOCTTY)
        try #require(master >= 0 && PseudoTerminal.grant(master) == 0 && PseudoTerminal.unlock(master) == 0)
        defer { close(master) }
        let slaveName = try #require(PseudoTerminal.slaveName(master))
        let slave = open(String(cString: slaveName), O_RDWR | O_NOCTTY)
        try #require(slave >= 0)
        var base = ["HOME": FileManager.default.temporaryDirectory.path, "PATH": "/usr/bin:/bin", "TERM": "dumb"]
            .merging(sanitizerOptions) { _, new in new }
        base.merge(environment) { _, new in new }
        let environment = base

        // The conversation blocks in poll and read for seconds: it gets a thread of its own, never
        // one of the few cooperative threads that every other test in the run shares.
        let session = try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Swift.Result {
                    try converse(executable: executable, arguments: arguments, environment: environment,
                                 slave: slave, master: master, exchanges: exchanges)
                })
            }
        }
        #expect(session.unanswered.isEmpty, "prompts never shown: \(session.unanswered); screen: \(session.screen)")
        return (session.status, session.screen)
    }

    /// The blocking half of ``runInTerminal(_:exchanges:environment:)``: starts the program on the
    /// terminal, answers prompts until it exits or two minutes pass, and never leaves it running.
    private static func converse(
        executable: URL, arguments: [String], environment: [String: String],
        slave: Int32, master: Int32, exchanges: [Exchange]
    ) throws -> (status: Int32, screen: String, unanswered: [String]) {
        let terminal = FileHandle(fileDescriptor: slave, closeOnDealloc: true)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        process.standardInput = terminal
        process.standardOutput = terminal
        process.standardError = terminal
        try process.run()
        try terminal.close()

        var screen = ""
        var seen = screen.startIndex
        var buffer = [UInt8](repeating: 0, count: 4096)
        var pending = exchanges[...]
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            if let exchange = pending.first, let found = screen.range(of: exchange.prompt, range: seen..<screen.endIndex) {
                seen = found.upperBound
                pending.removeFirst()
                let reply = Array((exchange.reply(screen) + (exchange.pressesEnter ? "\n" : "")).utf8)
                _ = reply.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
                continue
            }
            var poller = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 200) > 0 else {
                if !process.isRunning && pending.isEmpty { break }
                continue
            }
            let count = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
            // EIO: the program exited and closed the terminal.
            guard count > 0 else { break }
            screen += String(decoding: buffer[..<count], as: UTF8.self)
        }
        // A program still waiting for input it will never get must not hang the test run.
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return (process.terminationStatus, screen, pending.map(\.prompt))
    }
}

/// The POSIX pseudo-terminal calls, looked up at run time: glibc declares them only for
/// `_XOPEN_SOURCE`, so Swift's Glibc module does not import them.
private enum PseudoTerminal {
    typealias Call = @convention(c) (Int32) -> Int32
    static let openMaster = function("posix_openpt", as: Call.self)
    static let grant = function("grantpt", as: Call.self)
    static let unlock = function("unlockpt", as: Call.self)
    static let slaveName = function("ptsname", as: (@convention(c) (Int32) -> UnsafeMutablePointer<CChar>?).self)

    private static func function<F>(_ name: String, as type: F.Type) -> F {
        #if canImport(Darwin)
        let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: -2), name)  // RTLD_DEFAULT
        #else
        let symbol = dlsym(nil, name)
        #endif
        return unsafeBitCast(symbol!, to: type)
    }
}

/// The end of one `snap2p` run, delivered once: by Foundation's termination handler, or by a
/// watchdog. Foundation on Linux has been seen to miss a child's exit when many processes end at
/// once (the child stays a zombie and the handler never runs), and a stuck child would hang the
/// whole test run: the watchdog reads an exit Foundation missed (`waitid` with `WNOWAIT`, which
/// leaves the child for Foundation to reap) and kills a child that runs past the limit.
final class ProcessOutcome: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Int32, any Error>?

    init(_ continuation: CheckedContinuation<Int32, any Error>) {
        self.continuation = continuation
    }

    /// The longest a `snap2p` run in a test may take.
    static let limit = Duration.seconds(600)

    func resume(_ result: Result<Int32, any Error>) {
        let continuation = lock.withLock {
            defer { self.continuation = nil }
            return self.continuation
        }
        continuation?.resume(with: result)
    }

    private var isResumed: Bool { lock.withLock { continuation == nil } }

    func watch(pid: Int32, command: String) async {
        let start = ContinuousClock.now
        var exitedAt: ContinuousClock.Instant?
        #if canImport(Glibc)
        var info = siginfo_t()
        #endif
        while !isResumed {
            try? await Task.sleep(for: .milliseconds(500))
            #if canImport(Glibc)
            if exitedAt == nil, waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0, info._sifields._sigchld.si_pid == pid {
                exitedAt = ContinuousClock.now
            }
            if let exitedAt, ContinuousClock.now - exitedAt > .seconds(5) {
                resume(.success(info._sifields._sigchld.si_status))
                return
            }
            #endif
            if ContinuousClock.now - start > Self.limit {
                kill(pid, SIGKILL)
                resume(.failure(ProcessTimeout(command: command)))
                return
            }
        }
    }
}

/// A `snap2p` run that did not end within ``ProcessOutcome/limit``.
struct ProcessTimeout: Error, CustomStringConvertible {
    let command: String
    var description: String { "snap2p \(command) did not exit within \(ProcessOutcome.limit); killed" }
}
