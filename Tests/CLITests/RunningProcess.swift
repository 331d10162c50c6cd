import Foundation
import Testing

/// `snap2p` running in the background, as a second terminal or a script would run it: lines can
/// be written to its standard input while its standard output is read line by line.
final class RunningProcess: @unchecked Sendable {
    private let process: Process
    private let input: FileHandle
    private let lock = NSLock()
    private var outputLines: [String] = []
    private var errorText = ""
    private var consumed = 0
    private let exited = DispatchSemaphore(value: 0)

    /// Starts `snap2p arguments...` with HOME in a temporary directory and `environment` added.
    convenience init(_ arguments: [String], environment: [String: String] = [:]) throws {
        let executable = try #require(SNaP2PExecutable.url, "the snap2p binary was not found next to the test bundle")
        try self.init(executable: executable, arguments, environment: environment)
    }

    /// Starts `snap2p` through `/bin/sh -c script`, where the script names the binary as `"$0"`
    /// (for instance to lower a limit with `ulimit` first, then `exec "$0" listen ...`).
    convenience init(shell script: String, environment: [String: String] = [:]) throws {
        let executable = try #require(SNaP2PExecutable.url, "the snap2p binary was not found next to the test bundle")
        try self.init(executable: URL(fileURLWithPath: "/bin/sh"), ["-c", script, executable.path], environment: environment)
    }

    /// Starts `snap2p arguments...` inside network namespace `namespace`, through `ip netns exec`.
    convenience init(inNetworkNamespace namespace: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        let executable = try #require(SNaP2PExecutable.url, "the snap2p binary was not found next to the test bundle")
        let ip = try #require(NATTopology.ipCommand, "the ip command was not found")
        try self.init(executable: ip, ["netns", "exec", namespace, executable.path] + arguments, environment: environment)
    }

    private init(executable: URL, _ arguments: [String], environment: [String: String]) throws {
        process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var base = ["HOME": FileManager.default.temporaryDirectory.path, "PATH": "/usr/bin:/bin"]
            .merging(SNaP2PExecutable.sanitizerOptions) { _, new in new }
        base.merge(environment) { _, new in new }
        process.environment = base
        let inputPipe = Pipe()
        let outputPipe = Pipe()
        let errorPipe = Pipe()
        process.standardInput = inputPipe
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        input = inputPipe.fileHandleForWriting
        let exited = self.exited
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        readLines(outputPipe.fileHandleForReading) { [self] line in lock.withLock { outputLines.append(line) } }
        readLines(errorPipe.fileHandleForReading) { [self] line in lock.withLock { errorText += line + "\n" } }
    }

    /// Standard error so far.
    var standardError: String { lock.withLock { errorText } }

    /// The process id (of `snap2p` itself when a shell script `exec`s it).
    var processIdentifier: Int32 { process.processIdentifier }

    /// Every standard output line so far.
    var lines: [String] { lock.withLock { outputLines } }

    /// The next standard output line not yet returned, waiting up to `timeout` for it.
    func nextLine(timeout: Duration = .seconds(60)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        // Look once more after the deadline: a busy test run can resume this task long after the
        // line arrived, and that must not count as a timeout.
        while true {
            let line: String? = lock.withLock {
                guard outputLines.count > consumed else { return nil }
                consumed += 1
                return outputLines[consumed - 1]
            }
            if let line { return line }
            guard ContinuousClock.now < deadline else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw Timeout(what: "a line on standard output; standard error: \(standardError)")
    }

    /// The next standard output line, parsed as a JSON object.
    func nextEvent(timeout: Duration = .seconds(60)) async throws -> [String: Any] {
        let line = try await nextLine(timeout: timeout)
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)")
    }

    /// Waits until standard error contains `text`.
    func waitForStandardError(containing text: String, timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            if standardError.contains(text) { return }
            guard ContinuousClock.now < deadline else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw Timeout(what: "\"\(text)\" on standard error, which has: \(standardError)")
    }

    /// Types `text` into standard input.
    func write(_ text: String) {
        input.write(Data(text.utf8))
    }

    /// Ends standard input (like Ctrl-D, or the end of a piped file).
    func closeInput() {
        try? input.close()
    }

    /// Waits for the process to end and returns its exit status; kills it after `timeout`.
    func exitStatus(timeout: Duration = .seconds(30)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while exited.wait(timeout: .now()) == .timedOut {
            guard ContinuousClock.now < deadline else {
                stop()
                throw Timeout(what: "the process to exit; standard error: \(standardError)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        exited.signal()
        // Give the readers a moment to take the last output from the pipes.
        try await Task.sleep(for: .milliseconds(100))
        return process.terminationStatus
    }

    /// Sends SIGINT, as Ctrl-C at a terminal would.
    func interrupt() {
        process.interrupt()
    }

    /// Kills the process if it still runs. A stopped process (``send(_:)`` SIGSTOP) is killed with
    /// SIGKILL, which it cannot hold back.
    func stop() {
        guard process.isRunning else { return }
        if isStopped { send(SIGKILL) } else { process.terminate() }
    }

    /// Sends `signal` (SIGKILL, SIGSTOP...) to the process.
    func send(_ signal: Int32) {
        lock.withLock { if signal == SIGSTOP { stopped = true } else if signal == SIGCONT { stopped = false } }
        kill(process.processIdentifier, signal)
    }

    private var stopped = false
    private var isStopped: Bool { lock.withLock { stopped } }

    deinit {
        stop()
    }

    private func readLines(_ handle: FileHandle, _ deliver: @escaping @Sendable (String) -> Void) {
        Thread.detachNewThread {
            var pending = Data()
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                pending.append(data)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    deliver(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                    pending.removeSubrange(pending.startIndex...newline)
                }
            }
            if !pending.isEmpty { deliver(String(decoding: pending, as: UTF8.self)) }
        }
    }

    struct Timeout: Error, CustomStringConvertible {
        let what: String
        var description: String { "timed out waiting for \(what)" }
    }
}
