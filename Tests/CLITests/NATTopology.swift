import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The NAT network of `scripts/nat-topology.sh`, built in network namespaces for one test and
/// always removed afterwards. Host A sits behind NAT 1, host B behind NAT 2, and the public
/// namespace (where a relay or any public peer runs) sees each host only as its NAT's address.
///
/// Building it needs root, `ip` and `iptables` (scripts/bootstrap.sh installs iptables), as in CI;
/// without them the test is cancelled (reported as skipped) with the reason, never passed.
struct NATTopology: Sendable {
    /// The namespaces, named `PREFIX-<rawValue>`.
    enum Host: String, Sendable {
        case publicHost = "pub", nat1, nat2, a, b
    }

    /// The public host's address (`PREFIX-pub`).
    static let publicAddress = "203.0.113.1"
    /// NAT 1's public address: how the public side sees host A.
    static let nat1PublicAddress = "203.0.113.11"
    /// NAT 2's public address: how the public side sees host B.
    static let nat2PublicAddress = "203.0.113.12"
    /// Host A's private address behind NAT 1.
    static let hostAAddress = "192.0.2.10"
    /// Host B's private address behind NAT 2.
    static let hostBAddress = "198.51.100.10"

    /// Unique to this topology, so parallel tests and runs never share a namespace.
    let prefix: String

    /// The namespace of `host`, for `ip netns exec`.
    func namespace(_ host: Host) -> String { "\(prefix)-\(host.rawValue)" }

    /// Runs `body` with a fresh topology (`blockingDirectPaths`: NAT 2 drops every TCP packet from
    /// the public side except the public host's) and removes it afterwards, also when `body` throws.
    static func with<Result>(
        blockingDirectPaths: Bool = false,
        _ body: (NATTopology) async throws -> Result
    ) async throws -> Result {
        try skipUnlessSupported()
        let topology = NATTopology(prefix: "sn\(getpid())-\(UInt16.random(in: .min ... .max))")
        defer { try? script("down", topology.prefix) }
        try script("up", topology.prefix)
        if blockingDirectPaths { try script("block-direct", topology.prefix) }
        return try await body(topology)
    }

    /// Starts `snap2p arguments...` in `host`'s namespace, with `environment` added.
    func start(in host: Host, _ arguments: [String], environment: [String: String] = [:]) throws -> RunningProcess {
        try RunningProcess(inNetworkNamespace: namespace(host), arguments, environment: environment)
    }

    /// Where ``startRelayAndReservedB(_:)`` runs the relay: port 7100 of the public host.
    static let relayAddress = "\(publicAddress):7100"

    /// Starts a relay on the public host and, behind NAT 2, `command` (`listen 0`, `receive 0 …`)
    /// with `--relay` to it; returns once both sides report B's reservation, with B's principal.
    func startRelayAndReservedB(_ command: [String]) async throws -> (relay: RunningProcess, b: RunningProcess, principal: String) {
        let relay = try start(in: .publicHost, ["relay", "7100", "--testnet", "--json"])
        #expect(try await relay.nextEvent()["event"] as? String == "ready", "\(relay.standardError)")
        let b = try start(in: .b, command + ["--relay", Self.relayAddress, "--testnet", "--json"])
        let principal = try #require(try await b.nextEvent()["principal"] as? String, "\(b.standardError)")
        #expect(try await b.nextEvent()["event"] as? String == "reserved", "\(b.standardError)")
        #expect(try await relay.nextEvent()["event"] as? String == "reserved")
        return (relay, b, principal)
    }

    /// `ip`, wherever this system keeps it (`/usr/sbin` is not on every PATH).
    static let ipCommand: URL? = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
        .map(URL.init(fileURLWithPath:))

    private static let iptablesInstalled = ["/usr/sbin/iptables", "/sbin/iptables", "/usr/bin/iptables"]
        .contains { FileManager.default.isExecutableFile(atPath: $0) }

    private static let scriptURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/nat-topology.sh")

    /// Cancels the test (it shows as skipped, with why) where namespaces cannot be made.
    private static func skipUnlessSupported() throws {
        guard geteuid() == 0 else {
            try Test.cancel("NAT tests need root to create network namespaces and iptables rules (CI runs as root)")
        }
        guard let ip = ipCommand else { try Test.cancel("NAT tests need the ip command (iproute2)") }
        guard iptablesInstalled else { try Test.cancel("NAT tests need iptables: run scripts/bootstrap.sh") }
        let probe = "sn\(getpid())-probe-\(UInt16.random(in: .min ... .max))"
        guard (try? run(ip, ["netns", "add", probe])) != nil else {
            try Test.cancel("NAT tests cannot create a network namespace here (a container without CAP_SYS_ADMIN?)")
        }
        try? run(ip, ["netns", "delete", probe])
    }

    private static func script(_ arguments: String...) throws {
        try run(URL(fileURLWithPath: "/bin/bash"), [scriptURL.path] + arguments)
    }

    /// Runs a command to its end; throws with its standard error when it fails.
    private static func run(_ executable: URL, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailed(command: ([executable.path] + arguments).joined(separator: " "), standardError: String(decoding: message, as: UTF8.self))
        }
    }

    struct CommandFailed: Error, CustomStringConvertible {
        let command: String
        let standardError: String
        var description: String { "\(command) failed: \(standardError)" }
    }
}
