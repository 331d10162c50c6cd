import NIOCore
import SNaP2PWire
import Testing

@testable import SNaP2P

/// What a session holds, and when it lets go; and replies that carry data and end in one frame.
@Suite struct SessionLifetimeTests {
    /// The README's dialer (write, finish, collect) against a peer that answers with one
    /// `STREAM_DATA{d, f: true}` frame, whether it answers before or after our finish.
    @Test(arguments: [ScriptedListener.Trigger.remoteFinish, .firstData])
    func theReadmeDialerGetsAReplyThatCarriesDataAndEndTogether(trigger: ScriptedListener.Trigger) async throws {
        let listener = try await ScriptedListener.start(trigger: trigger) { Array("echo: ".utf8) + $0 }
        let connection = try await Peer(configuration: TestPeers.configuration()).dial("127.0.0.1:\(listener.port)")
        for _ in 0..<20 {
            let stream = try await connection.openStream(label: "chat")
            try await stream.write(Array("Hello from SNaP2P!".utf8))
            try await stream.finish()
            let echo = try await withTimeout(.seconds(300)) { try await stream.inbound.collect(upTo: 1 << 20) }
            #expect(String(decoding: echo, as: UTF8.self) == "echo: Hello from SNaP2P!")
        }
        await connection.close()
        await listener.close()
    }

    @Test func aReaderAlreadyWaitingGetsDataAndEndFromOneFrame() async throws {
        let listener = try await ScriptedListener.start(trigger: .remoteFinish) { $0 }
        let connection = try await Peer(configuration: TestPeers.configuration()).dial("127.0.0.1:\(listener.port)")
        let stream = try await connection.openStream(label: nil)
        let reader = Task { try await stream.inbound.collect(upTo: 1024) }
        try await Task.sleep(for: .milliseconds(50))  // let the reader park first
        try await stream.write([1, 2, 3])
        try await stream.finish()
        #expect(try await withTimeout(.seconds(300)) { try await reader.value } == [1, 2, 3])
        await connection.close()
        await listener.close()
    }

    @Test func aSecondReaderOfOneStreamGetsAnErrorInsteadOfATrap() async throws {
        let (_, listener) = try await TestPeers.listener()
        async let accepted = TestPeers.accept(listener)
        let connection = try await Peer(configuration: TestPeers.configuration()).dial("127.0.0.1:\(listener.port)")
        let stream = try await connection.openStream(label: nil)
        let first = Task { try await stream.inbound.collect(upTo: 1024) }
        try await Task.sleep(for: .milliseconds(50))
        var second = stream.inbound.makeAsyncIterator()
        await #expect(throws: SNaP2PError.concurrentRead) { _ = try await second.next() }
        first.cancel()
        await connection.close()
        _ = try await accepted
        await listener.close()
    }

    /// Nothing keeps a finished session: the connection, its streams and the handler go away.
    @Test func aClosedSessionFreesItsConnectionStreamsAndHandler() async throws {
        let (_, listener) = try await TestPeers.listener()
        let peer = Peer(configuration: TestPeers.configuration())
        weak var weakConnection: Connection?
        weak var weakStream: SNaP2PStream?
        var link: SessionLink?
        do {
            async let accepted = TestPeers.accept(listener)
            let connection = try await peer.dial("127.0.0.1:\(listener.port)")
            let stream = try await connection.openStream(label: "x")
            try await stream.write([1, 2, 3])
            let remote = try await accepted
            var incoming = remote.incomingStreams.makeAsyncIterator()
            _ = try #require(await incoming.next())
            weakConnection = connection
            weakStream = stream
            link = connection.link
            await connection.close()
            await remote.close()
        }
        #expect(await eventually { weakConnection == nil && weakStream == nil })
        #expect(await eventually { await link?.isAttached() == false })
        await listener.close()
    }

    /// Dropping a connection closes its session: the remote sees the end.
    @Test func aConnectionTheApplicationDropsIsClosed() async throws {
        let (_, listener) = try await TestPeers.listener()
        async let accepted = TestPeers.accept(listener)
        do {
            _ = try await Peer(configuration: TestPeers.configuration()).dial("127.0.0.1:\(listener.port)")
        }
        let remote = try await accepted
        let ended = try await withTimeout(.seconds(300)) { await remote.closed() }
        #expect(ended == nil)
        await listener.close()
    }

    @Test func aStreamProtocolReceivesTheStreamsOfItsLabel() async throws {
        var configuration = TestPeers.configuration()
        configuration.streamProtocols.register("time") { stream, connection in
            try? await stream.write(Array("served for \(connection.remotePrincipal)".utf8))
            try? await stream.finish()
        }
        let (_, listener) = try await TestPeers.listener(configuration)
        async let accepted = TestPeers.accept(listener)
        let dialer = Peer(configuration: TestPeers.configuration())
        let connection = try await dialer.dial("127.0.0.1:\(listener.port)")
        let remote = try await accepted
        let routed = try await connection.openStream(label: "time")
        try await routed.finish()
        let reply = try await routed.inbound.collect(upTo: 1024)
        #expect(String(decoding: reply, as: UTF8.self) == "served for \(dialer.principal)")
        // Other labels still reach incomingStreams.
        let plain = try await connection.openStream(label: "chat")
        try await plain.write([7])
        var incoming = remote.incomingStreams.makeAsyncIterator()
        #expect(await incoming.next()?.label == "chat")
        await connection.close()
        await listener.close()
    }
}

/// Polls `condition` for up to five minutes: only a hang should fail, not a busy machine.
func eventually(_ condition: () async -> Bool) async -> Bool {
    for _ in 0..<30000 {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return await condition()
}

/// Runs `body`, failing with a timeout if it takes longer than `limit`.
func withTimeout<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw TestFailure("timed out after \(limit)")
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
