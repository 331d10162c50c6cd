import Foundation
import Testing

/// `Examples/SendFile`, the standalone package README points to, still builds against the library.
///
/// A separate `swift build` of it compiles SwiftNIO and swift-crypto again from nothing (minutes
/// on two cores, every CI run), so this checks the same two things more cheaply: its manifest
/// (the path dependency on this package and the products it names, as SwiftPM reads them), and
/// its source, type-checked by `swiftc` against the modules this very build produced, with the
/// search paths SwiftPM gave the `snap2p` target (which imports the same libraries).
@Suite struct ExamplePackageTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let example = repository.appendingPathComponent("Examples/SendFile")

    @Test func theManifestDependsOnThisPackageByPathAndNamesItsProducts() async throws {
        let manifest = try Self.json(try await Self.dumpPackage(Self.example))
        let root = try Self.json(try await Self.dumpPackage(Self.repository))
        let dependencies = try #require(manifest["dependencies"] as? [[String: Any]])
        let fileSystem = try #require(dependencies.first?["fileSystem"] as? [[String: Any]])
        #expect(URL(fileURLWithPath: try #require(fileSystem.first?["path"] as? String)).standardizedFileURL.path
            == Self.repository.standardizedFileURL.path)
        let products = Set(try #require(root["products"] as? [[String: Any]]).compactMap { $0["name"] as? String })
        let targets = try #require(manifest["targets"] as? [[String: Any]])
        let used = targets.flatMap { ($0["dependencies"] as? [[String: Any]]) ?? [] }
            .compactMap { ($0["product"] as? [Any])?.first as? String }
        #expect(Set(used) == ["SNaP2P", "SNaP2PFileTransfer"])
        #expect(Set(used).isSubset(of: products))
    }

    @Test func theSourceTypeChecksAgainstTheBuiltLibrary() async throws {
        let source = Self.example.appendingPathComponent("Sources/SendFile/main.swift")
        #expect(try String(contentsOf: source, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).count < 60)
        let result = try await Self.run(["swiftc", "-typecheck"] + (try Self.searchPaths()) + [source.path])
        #expect(result.status == 0, "\(result.output)")
        #expect(!result.output.contains("warning:"), "\(result.output)")
    }

    /// `-I`, `-Xcc …`, `-module-cache-path`, `-swift-version` and `-target` from SwiftPM's build
    /// manifest for the `snap2p` target of the build that made these tests.
    private static func searchPaths() throws -> [String] {
        let binary = try #require(SNaP2PExecutable.url, "the snap2p binary was not found next to the test bundle")
        let products = binary.deletingLastPathComponent()
        let manifest = products.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(products.lastPathComponent + ".yaml")
        let line = try #require(
            try String(contentsOf: manifest, encoding: .utf8).split(separator: "\n")
                .first { $0.contains("args: [") && $0.contains(#""-module-name","snap2p""#) && $0.contains("-emit-module-path") },
            "no swiftc command for snap2p in \(manifest.path)")
        let start = try #require(line.range(of: "[")).lowerBound
        let arguments = try #require(try JSONSerialization.jsonObject(with: Data(line[start...].utf8)) as? [String])
        let kept: Set = ["-I", "-Xcc", "-module-cache-path", "-swift-version", "-target"]
        var paths: [String] = []
        var index = 0
        while index + 1 < arguments.count {
            if kept.contains(arguments[index]) {
                paths += arguments[index...(index + 1)]
                index += 2
            } else {
                index += 1
            }
        }
        return paths
    }

    /// SwiftPM's reading of a manifest, from a scratch directory of its own: the package's usual
    /// one is locked by the `swift test` running this.
    private static func dumpPackage(_ package: URL) async throws -> (status: Int32, output: String) {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("snap2p-manifest-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        return try await run(["swift", "package", "--package-path", package.path, "--scratch-path", scratch.path, "dump-package"])
    }

    /// Runs a tool found on the PATH; waits without holding a thread of the test run.
    private static func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("snap2p-example-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: output.path, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        try handle.close()
        return (status, try String(contentsOf: output, encoding: .utf8))
    }

    private static func json(_ result: (status: Int32, output: String)) throws -> [String: Any] {
        #expect(result.status == 0, "\(result.output)")
        let start = try #require(result.output.firstIndex(of: "{"), "\(result.output)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.output[start...].utf8)) as? [String: Any])
    }
}
