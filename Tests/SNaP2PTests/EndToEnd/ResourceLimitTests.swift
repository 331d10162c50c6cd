import NIOCore
import NIOPosix
import SNaP2P
import Testing

/// A listener at each of its limits over 127.0.0.1: the new connection is refused, the existing
/// sessions keep working, and a freed slot is taken again.
@Suite struct ResourceLimitTests {
    static func listener(_ limits: ResourceLimits) async throws -> Listener {
        var configuration = TestPeers.configuration()
        configuration.limits = limits
        return try await TestPeers.listener(configuration).1
    }

    /// Dials until the listener admits the connection (the slot another connection held is
    /// released when that socket has closed, a moment after the session ended); at most 50 tries.
    static func dialOnceAdmitted(_ dialer: Peer, port: Int) async throws -> Connection {
        for _ in 1..<50 {
            if let connection = try? await dialer.dial("127.0.0.1:\(port)") { return connection }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await dialer.dial("127.0.0.1:\(port)")
    }

    /// Echoes one stream on `connection` and checks the bytes came back: the session still works.
    static func expectWorking(_ dialed: Connection, served: Connection) async throws {
        let serving = Task {
            var incoming = served.incomingStreams.makeAsyncIterator()
            guard let stream = await incoming.next() else { return }
            for try await chunk in stream.inbound { try await stream.write(chunk) }
            try await stream.finish()
        }
        let stream = try await dialed.openStream()
        try await stream.write([1, 2, 3])
        try await stream.finish()
        #expect(try await stream.inbound.collect(upTo: 100) == [1, 2, 3])
        try await serving.value
    }

    @Test func overTheSessionLimitANewConnectionIsRefusedAndTheOthersWork() async throws {
        let listener = try await Self.listener(ResourceLimits(sessions: 2))
        var accepted = listener.makeAsyncIterator()
        let dialer = Peer(configuration: TestPeers.configuration())
        let first = try await dialer.dial("127.0.0.1:\(listener.port)")
        let firstServed = try #require(await accepted.next())
        let second = try await dialer.dial("127.0.0.1:\(listener.port)")
        let secondServed = try #require(await accepted.next())

        // Closed before any cryptography: the dialer sees the connection close during its handshake.
        let refused = await #expect(throws: SNaP2PError.self) { try await dialer.dial("127.0.0.1:\(listener.port)") }
        guard case .handshakeFailed(.connectionClosed, _)? = refused else {
            Issue.record("\(String(describing: refused))")
            return
        }
        try await Self.expectWorking(first, served: firstServed)
        try await Self.expectWorking(second, served: secondServed)

        // A closed session frees its slot.
        await first.close()
        _ = await firstServed.closed()
        let third = try await Self.dialOnceAdmitted(dialer, port: listener.port)
        let thirdServed = try #require(await accepted.next())
        try await Self.expectWorking(third, served: thirdServed)
        await listener.close()
    }

    @Test func overThePrincipalLimitTheNewSessionIsClosedWithResourceExhausted() async throws {
        let listener = try await Self.listener(ResourceLimits(sessionsPerPrincipal: 1))
        var accepted = listener.makeAsyncIterator()
        let alice = Peer(configuration: TestPeers.configuration())
        let first = try await alice.dial("127.0.0.1:\(listener.port)")
        let firstServed = try #require(await accepted.next())

        let second = try await alice.dial("127.0.0.1:\(listener.port)")
        #expect(await second.closed() == .connectionClosed(code: .resourceExhausted, reason: nil))
        try await Self.expectWorking(first, served: firstServed)

        // Another principal is not affected.
        let bob = try await Peer(configuration: TestPeers.configuration()).dial("127.0.0.1:\(listener.port)")
        let bobServed = try #require(await accepted.next())
        try await Self.expectWorking(bob, served: bobServed)
        await listener.close()
    }

    @Test func handshakesInFlightAreLimitedAndFreedWhenTheyEnd() async throws {
        let listener = try await Self.listener(ResourceLimits(handshakes: 1))
        // A client that connects and says nothing holds the only handshake slot.
        let silent = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: listener.port).get()
        let dialer = Peer(configuration: TestPeers.configuration())
        // Once the listener has accepted the silent client, dials are refused (until then one may
        // still get in: it is closed and the next tried).
        var refusal: SNaP2PError?
        for _ in 0..<50 where refusal == nil {
            do {
                try await dialer.dial("127.0.0.1:\(listener.port)").close()
                try await Task.sleep(for: .milliseconds(100))
            } catch {
                refusal = error as? SNaP2PError
            }
        }
        guard case .handshakeFailed(.connectionClosed, _)? = refusal else {
            Issue.record("\(String(describing: refusal))")
            return
        }

        try await silent.close()
        var accepted = listener.makeAsyncIterator()
        let dialed = try await Self.dialOnceAdmitted(dialer, port: listener.port)
        // Skip any connection admitted (and closed) before the silent client was.
        var served = try #require(await accepted.next())
        while served.sessionID != dialed.sessionID { served = try #require(await accepted.next()) }
        try await Self.expectWorking(dialed, served: served)
        await listener.close()
    }
}
