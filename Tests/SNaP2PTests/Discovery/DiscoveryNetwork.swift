import NIOConcurrencyHelpers
import SNaP2P
import SNaP2PDiscovery
import SNaP2PIdentity

@testable import SNaP2P

/// Peers on 127.0.0.1 for PX-1 tests: each listens, keeps every session it accepts or dials (a
/// dropped connection closes), and echoes every stream the application receives.
final class DiscoveryNode: Sendable {
    let peer: Peer
    let listener: Listener
    private let sessions = NIOLockedValueBox<[Connection]>([])
    private let labels = NIOLockedValueBox<[String?]>([])
    private let serving: Task<Void, Never>

    init(_ configuration: PeerConfiguration = TestPeers.configuration()) async throws {
        peer = Peer(configuration: configuration)
        listener = try await peer.listen(host: "127.0.0.1", port: 0)
        let sessions = self.sessions
        let labels = self.labels
        let listener = self.listener
        serving = Task {
            await withDiscardingTaskGroup { group in
                for await connection in listener {
                    sessions.withLockedValue { $0.append(connection) }
                    group.addTask { await Self.echo(connection, labels: labels) }
                }
            }
        }
    }

    deinit { serving.cancel() }

    var principal: Principal { peer.principal }
    var address: String { "127.0.0.1:\(listener.port)" }
    /// The labels of the streams remotes opened that reached the application, in order.
    var applicationStreamLabels: [String?] { labels.withLockedValue { $0 } }

    /// Dials `other` by address and keeps the session.
    @discardableResult
    func connect(to other: DiscoveryNode) async throws -> Connection {
        let connection = try await peer.dial(other.address)
        keep(connection)
        return connection
    }

    /// Keeps `connection` open and echoes what its remote sends.
    func keep(_ connection: Connection) {
        sessions.withLockedValue { $0.append(connection) }
        let labels = self.labels
        Task { await Self.echo(connection, labels: labels) }
    }

    /// Waits (up to 30 s) until this node's cache knows `count` principals.
    func waitForCache(count: Int) async throws {
        for _ in 0..<3000 where peer.discovery.cachedPrincipalCount < count {
            try await Task.sleep(for: .milliseconds(10))
        }
        guard peer.discovery.cachedPrincipalCount >= count else {
            throw TestFailure("cache holds \(peer.discovery.cachedPrincipalCount) principals, expected \(count)")
        }
    }

    func close() async {
        await listener.close()
        for connection in sessions.withLockedValue({ $0 }) { await connection.close() }
    }

    private static func echo(_ connection: Connection, labels: NIOLockedValueBox<[String?]>) async {
        await withDiscardingTaskGroup { group in
            for await stream in connection.incomingStreams {
                labels.withLockedValue { $0.append(stream.label) }
                group.addTask {
                    do {
                        for try await chunk in stream.inbound { try await stream.write(chunk) }
                        try await stream.finish()
                    } catch {}
                }
            }
        }
    }
}

extension Connection {
    /// Sends `text` on a new stream and returns the echo.
    func echo(_ text: String) async throws -> String {
        let stream = try await openStream(label: "echo")
        try await stream.write(Array(text.utf8))
        try await stream.finish()
        return String(decoding: try await stream.inbound.collect(upTo: 1 << 16), as: UTF8.self)
    }

    /// Sends raw PX-1 messages on a new `px-1` stream, finishes it, and returns what came back.
    func sendPX(_ messages: [PXMessage]) async throws -> [UInt8] {
        let stream = try await openStream(label: PXLimits.streamLabel)
        for message in messages { try await stream.write(message.encoded()) }
        try await stream.finish()
        return try await stream.inbound.collect(upTo: 1 << 20)
    }
}
