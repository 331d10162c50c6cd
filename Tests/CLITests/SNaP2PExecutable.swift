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
        var base = ["HOME": scratch.path, "PATH": "/usr/bin:/bin"]
        base.merge(environment) { _, new in new }
        process.environment = base
        let inputPipe = Pipe()
        process.standardInput = inputPipe
        let output = try FileHandle(forWritingTo: outputURL)
        let error = try FileHandle(forWritingTo: errorURL)
        process.standardOutput = output
        process.standardError = error

        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
                return
            }
            inputPipe.fileHandleForWriting.write(Data(input.utf8))
            try? inputPipe.fileHandleForWriting.close()
        }
        try output.close()
        try error.close()
        return Result(
            status: status,
            standardOutput: try String(contentsOf: outputURL, encoding: .utf8),
            standardError: try String(contentsOf: errorURL, encoding: .utf8))
    }
}
