import Crypto
import Foundation
import Testing
import TestSupport

/// A scratch directory for `send`/`receive` tests: files to send, a directory to receive into, a
/// wallet store; removed when dropped.
final class FileTransferScratch: Sendable {
    let root: String
    var outbox: String { root + "/outbox" }
    var inbox: String { root + "/inbox" }
    var wallets: String { root + "/wallets" }

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("snap2p-files-\(UUID().uuidString)").path
        for directory in [outbox, inbox, wallets] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Writes `count` random bytes to `outbox/name`; returns its path.
    func makeFile(_ name: String, count: Int, seed: UInt64 = 1) throws -> String {
        var random = SeededRandom(seed: seed)
        var words = (0..<(count + 7) / 8).map { _ in random.next() }
        let bytes = words.withUnsafeMutableBytes { Array($0.prefix(count)) }
        let path = outbox + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The names in the inbox, sorted.
    func received() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: inbox).sorted()
    }

    /// The contents of a file.
    static func contents(_ path: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: path))
    }

    /// Lower-case hex SHA-256 of a file.
    static func sha256(_ path: String) throws -> String {
        SHA256.hash(data: try contents(path)).map { String(format: "%02x", $0) }.joined()
    }

    /// A stored testnet wallet named `sender` (the reference vectors' phrase), so several `send`
    /// runs prove the same principal; returns that principal and the options and environment
    /// that use it.
    func storedWallet() async throws -> (principal: String, arguments: [String], environment: [String: String]) {
        let phrase = try #require(Vectors.value(Vectors.reference, "wallets", "wallet_manager", "mnemonic") as? String)
        let environment = ["SNAP2P_PASSWORD": "a password for the tests"]
        let restored = try await SNaP2PExecutable.run(
            ["wallet", "restore", "--name", "sender", "--testnet", "--json", "--wallet-dir", wallets],
            input: phrase + "\n", environment: environment)
        #expect(restored.status == 0, "\(restored.standardError)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(restored.standardOutput.utf8)) as? [String: Any])
        let address = try #require(object["address"] as? String)
        return ("stacks:" + address, ["--wallet", "sender", "--wallet-dir", wallets], environment)
    }
}

/// `snap2p receive 0 --host 127.0.0.1 --dir INBOX --json ...` in the background, its ready event read.
struct RunningReceiver {
    let process: RunningProcess
    let port: Int
    let principal: String

    static func start(into directory: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> RunningReceiver {
        let process = try RunningProcess(
            ["receive", "0", "--host", "127.0.0.1", "--dir", directory, "--testnet", "--json"] + arguments, environment: environment)
        let ready = try await process.nextEvent()
        #expect(ready["event"] as? String == "ready")
        return RunningReceiver(
            process: process, port: try #require(ready["port"] as? Int), principal: try #require(ready["principal"] as? String))
    }

    var address: String { "127.0.0.1:\(port)" }

    /// Events until (and including) the first named `name`.
    func events(through name: String) async throws -> [[String: Any]] {
        var events: [[String: Any]] = []
        while events.last?["event"] as? String != name { events.append(try await process.nextEvent()) }
        return events
    }
}

/// Parses each line of a `--json` run.
func jsonEvents(_ result: SNaP2PExecutable.Result) throws -> [[String: Any]] {
    try result.lines.map { line in
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)")
    }
}
