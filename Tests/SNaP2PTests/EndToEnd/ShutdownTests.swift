import SNaP2P
import SNaP2PIdentity
import ServiceLifecycle
import Logging
import Testing

/// A listener's graceful shutdown over real sessions on 127.0.0.1: it stops accepting, closes idle
/// sessions at once, lets open streams finish within the grace period, and closes the rest with
/// CONNECTION_CLOSED.
@Suite struct ShutdownTests {
    private static func echoEverything(_ listener: Listener) -> Task<Void, Never> {
        Task {
            await withDiscardingTaskGroup { group in
                for await connection in listener {
                    group.addTask {
                        await withDiscardingTaskGroup { streams in
                            for await stream in connection.incomingStreams {
                                streams.addTask {
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
    }

    @Test func drainLetsAnOpenStreamFinishAndClosesIdleSessionsWithTheShutdownCode() async throws {
        let server = Peer(configuration: PeerConfiguration(network: .testnet, rateLimit: .off))
        let listener = try await server.listen(host: "127.0.0.1", port: 0)
        let serving = Self.echoEverything(listener)
        let client = Peer(configuration: PeerConfiguration(network: .testnet))
        let idle = try await client.dial("127.0.0.1:\(listener.port)")
        let busy = try await client.dial("127.0.0.1:\(listener.port)")
        let stream = try await busy.openStream(label: "echo")
        try await stream.write(Array("before".utf8))
        // Once the echo is back, the listener has the stream open.
        var echoed = stream.inbound.makeAsyncIterator()
        var echo = try #require(try await echoed.next())

        let shutdown = Task { await listener.shutdown(gracePeriod: .seconds(60)) }
        // The idle session closes at once, with the code a remote reads as a shutdown.
        let idleEnd = await idle.closed()
        #expect(idleEnd?.code == Listener.shutdownCode)
        await #expect(throws: SNaP2PError.self) { _ = try await client.dial("127.0.0.1:\(listener.port)") }
        // The open stream still works; once it is done, its session closes too.
        try await stream.write(Array(" and after".utf8))
        try await stream.finish()
        while let chunk = try await echoed.next() { echo += chunk }
        #expect(String(decoding: echo, as: UTF8.self) == "before and after")
        #expect(await busy.closed()?.code == Listener.shutdownCode)
        await shutdown.value
        serving.cancel()
    }

    @Test func theGracePeriodEndingClosesStreamsStillOpen() async throws {
        let server = Peer(configuration: PeerConfiguration(network: .testnet, rateLimit: .off))
        let listener = try await server.listen(host: "127.0.0.1", port: 0)
        let serving = Self.echoEverything(listener)
        let client = Peer(configuration: PeerConfiguration(network: .testnet))
        let connection = try await client.dial("127.0.0.1:\(listener.port)")
        let stream = try await connection.openStream(label: "echo")
        try await stream.write(Array("still here".utf8))

        await listener.shutdown(gracePeriod: .milliseconds(200))
        #expect(await connection.closed()?.code == Listener.shutdownCode)
        await #expect(throws: SNaP2PError.self) { _ = try await stream.inbound.collect(upTo: 1 << 20) }
        serving.cancel()
    }

    @Test func asAServiceTheListenerDrainsOnGracefulShutdown() async throws {
        let server = Peer(configuration: PeerConfiguration(network: .testnet, rateLimit: .off, shutdownGracePeriod: .seconds(60)))
        let listener = try await server.listen(host: "127.0.0.1", port: 0)
        let serving = Self.echoEverything(listener)
        let client = Peer(configuration: PeerConfiguration(network: .testnet))
        let connection = try await client.dial("127.0.0.1:\(listener.port)")
        let group = ServiceGroup(services: [listener], logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let running = Task { try await group.run() }
        await group.triggerGracefulShutdown()
        let end = await connection.closed()
        #expect(end?.code == Listener.shutdownCode, "\(String(describing: end))")
        try await running.value
        serving.cancel()
    }

    /// A peer run as a service keeps dialing with fresh credentials and stops on graceful shutdown.
    @Test func asAServiceAPeerRunsUntilGracefulShutdown() async throws {
        let server = Peer(configuration: PeerConfiguration(network: .testnet, rateLimit: .off))
        let listener = try await server.listen(host: "127.0.0.1", port: 0)
        let serving = Self.echoEverything(listener)
        let client = Peer(configuration: PeerConfiguration(network: .testnet))
        let group = ServiceGroup(services: [client], logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let running = Task { try await group.run() }
        let connection = try await client.dial("127.0.0.1:\(listener.port)")
        #expect(connection.remotePrincipal == server.principal)
        await group.triggerGracefulShutdown()
        try await running.value  // returns: the peer's run ended on graceful shutdown
        await connection.close()
        await listener.close()
        serving.cancel()
    }
}
