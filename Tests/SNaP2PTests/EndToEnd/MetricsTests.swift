import CoreMetrics
import MetricsTestKit
import SNaP2P
import SNaP2PIdentity
import Testing

/// The metrics of docs/METRICS.md move as a real session on 127.0.0.1 runs, read back from
/// swift-metrics' recording backend given to each peer.
@Suite struct MetricsTests {
    @Test func aSessionMovesTheDocumentedMetricsOnBothSides() async throws {
        let serverMetrics = TestMetrics()
        let clientMetrics = TestMetrics()
        let stranger = Peer(configuration: PeerConfiguration(network: .testnet))
        let client = Peer(configuration: PeerConfiguration(network: .testnet, metricsFactory: clientMetrics))
        let server = Peer(configuration: PeerConfiguration(
            network: .testnet,
            visibility: .private,
            authorization: AllowlistPolicy([client.principal]),
            rateLimit: .off,
            metricsFactory: serverMetrics
        ))
        let listener = try await server.listen(host: "127.0.0.1", port: 0)
        let accepted = Task { () -> Connection? in
            for await connection in listener {
                for await stream in connection.incomingStreams {
                    for try await chunk in stream.inbound { try await stream.write(chunk) }
                    try await stream.finish()
                    return connection
                }
            }
            return nil
        }

        await #expect(throws: SNaP2PError.self) { _ = try await stranger.dial("127.0.0.1:\(listener.port)") }
        let connection = try await client.dial("127.0.0.1:\(listener.port)")
        let payload = [UInt8](repeating: 7, count: 300_000)
        let stream = try await connection.openStream(label: "echo")
        #expect(try clientMetrics.expectMeter("snap2p_streams_active").lastValue == 1)
        #expect(try clientMetrics.expectMeter("snap2p_sessions_active").lastValue == 1)
        try await stream.write(payload)
        try await stream.finish()
        let echo = try await stream.inbound.collect(upTo: 1 << 20)
        #expect(echo == payload)
        let served = try #require(try await accepted.value)
        await connection.close()
        _ = await served.closed()

        for metrics in [serverMetrics, clientMetrics] {
            #expect(try metrics.expectCounter("snap2p_bytes_sent_total").totalValue == Int64(payload.count))
            #expect(try metrics.expectCounter("snap2p_bytes_received_total").totalValue == Int64(payload.count))
            #expect(try metrics.expectMeter("snap2p_sessions_active").lastValue == 0)
            #expect(try metrics.expectMeter("snap2p_streams_active").lastValue == 0)
        }
        #expect(try clientMetrics.expectCounter("snap2p_handshakes_total", [("role", "dialer"), ("result", "success")]).totalValue == 1)
        #expect(try serverMetrics.expectCounter("snap2p_handshakes_total", [("role", "listener"), ("result", "success")]).totalValue == 1)
        #expect(try serverMetrics.expectCounter("snap2p_handshakes_total", [("role", "listener"), ("result", "NOT_ALLOWED")]).totalValue == 1)
        #expect(try serverMetrics.expectCounter("snap2p_connections_refused_total", [("reason", "allowlist")]).totalValue == 1)
        let durations = try serverMetrics.expectTimer("snap2p_handshake_duration_seconds").values
        #expect(durations.count == 2)
        #expect(durations.allSatisfy { $0 > 0 })
        #expect(clientMetrics.counters(label: "snap2p_keepalive_timeouts_total").allSatisfy { $0.totalValue == 0 })
        await listener.close()
    }

    @Test func theRateLimitCountsRefusedConnections() async throws {
        let metrics = TestMetrics()
        let server = Peer(configuration: PeerConfiguration(
            network: .testnet,
            rateLimit: .custom(ConnectionRateLimit(maximumConnections: 1, per: .seconds(60))),
            metricsFactory: metrics
        ))
        let listener = try await server.listen(host: "127.0.0.1", port: 0)
        let client = Peer(configuration: PeerConfiguration(network: .testnet))
        let first = try await client.dial("127.0.0.1:\(listener.port)")
        await #expect(throws: SNaP2PError.self) { _ = try await client.dial("127.0.0.1:\(listener.port)") }
        #expect(try metrics.expectCounter("snap2p_connections_refused_total", [("reason", "rate_limit")]).totalValue == 1)
        await first.close()
        await listener.close()
    }
}
