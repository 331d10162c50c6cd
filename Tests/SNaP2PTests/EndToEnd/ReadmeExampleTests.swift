import SNaP2P
import Testing
import SNaP2PIdentity
import SNaP2PSession
import SNaP2PWire
import SNaP2PNoise

/// The echo listener and dialer shown in README.md, run as written (port 0 instead of 9000).
/// Keep the two in step: this is what proves the README's code works.
@Suite struct ReadmeExampleTests {
    @Test func echoListenerAndDialerFromTheReadme() async throws {
        // --- README: listener ---
        let server = Peer()  // an ephemeral mainnet identity; pass `wallet:` for a real one
        let listener = try await server.listen(host: "127.0.0.1", port: 0)
        let serving = Task {
            await withDiscardingTaskGroup { group in
                for await connection in listener {
                    group.addTask {
                        await withDiscardingTaskGroup { streams in
                            for await stream in connection.incomingStreams {
                                streams.addTask {
                                    // Echo every byte back, then half-close like the remote did.
                                    do {
                                        for try await chunk in stream.inbound { try await stream.write(chunk) }
                                        try await stream.finish()
                                    } catch {
                                        stream.close(error: .internalError)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        // --- README: dialer ---
        let client = Peer()
        let connection = try await client.dial("127.0.0.1:\(listener.port)")
        let stream = try await connection.openStream(label: "chat")
        try await stream.write(Array("Hello from SNaP2P!".utf8))
        try await stream.finish()
        let echo = try await stream.inbound.collect(upTo: 1 << 20)
        // --- end of README code ---

        #expect(String(decoding: echo, as: UTF8.self) == "Hello from SNaP2P!")
        #expect(connection.remotePrincipal == server.principal)
        #expect(server.principal.description.hasPrefix("stacks:SP"))
        await connection.close()
        await listener.close()
        serving.cancel()
    }
}
