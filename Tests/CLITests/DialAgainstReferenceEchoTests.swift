import SNaP2P
import Testing

/// `snap2p dial` against an echo server that behaves like the reference's `listen`: it echoes
/// every byte but never half-closes its side of the stream (Node's `allowHalfOpen`).
@Suite struct DialAgainstReferenceEchoTests {
    @Test func dialVerifiesTheEchoWithoutWaitingForAFin() async throws {
        let server = Peer(configuration: PeerConfiguration(network: .testnet, flowControl: false, noisePolicy: .referenceOnly))
        let listener = try await server.listen(host: "127.0.0.1", port: 0)
        let serving = Task {
            await withDiscardingTaskGroup { group in
                for await connection in listener {
                    group.addTask {
                        await withDiscardingTaskGroup { streams in
                            for await stream in connection.incomingStreams {
                                streams.addTask {
                                    // Echo, and on the dialer's fin do nothing: no fin back.
                                    do {
                                        for try await chunk in stream.inbound { try await stream.write(chunk) }
                                    } catch {}
                                    _ = await connection.closed()
                                }
                            }
                        }
                    }
                }
            }
        }
        defer { serving.cancel() }

        let text = try await SNaP2PExecutable.run(["dial", "127.0.0.1:\(listener.port)", "--testnet", "-m", "hello reference"])
        #expect(text.status == 0, "\(text.standardError)")
        #expect(text.standardOutput.contains("Echo on stream 0: hello reference"))

        let bulk = try await SNaP2PExecutable.run(["dial", "127.0.0.1:\(listener.port)", "--testnet", "--bytes", "1000000", "--streams", "2"])
        #expect(bulk.status == 0, "\(bulk.standardError)")
        await listener.close()
    }
}
