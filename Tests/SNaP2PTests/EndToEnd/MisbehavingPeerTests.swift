import NIOCore
import NIOPosix
import Testing
import SNaP2P
import SNaP2PIdentity
import SNaP2PSession
import SNaP2PWire
import SNaP2PNoise
import TestSupport

@Suite struct MisbehavingPeerTests {
    /// After the bad connection is gone, the listener still completes a normal handshake.
    private func expectListenerStillServes(_ listener: Listener, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        async let accepted = TestPeers.accept(listener)
        let connection = try await Peer(configuration: TestPeers.configuration()).dial("127.0.0.1:\(listener.port)")
        _ = try await accepted
        await connection.close()
    }

    @Test func garbageBeforeTheHandshakeIsClosed() async throws {
        // Random bytes either break a handshake rule at once or announce a frame that never
        // completes; the handshake timeout ends the second kind.
        let (_, listener) = try await TestPeers.listener(TestPeers.configuration(handshakeTimeout: .seconds(1)))
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<8 {
            let raw = try await RawPeer.connect(port: listener.port)
            // The listener may hang up while the bytes are still going out; that is fine too.
            try? await raw.send((0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) })
            #expect(await raw.waitForClose())
        }
        let http = try await RawPeer.connect(port: listener.port)
        // As above: on a slow run the 1 s handshake timeout may close it before the request goes.
        try? await http.send(Array("GET / HTTP/1.1\r\nHost: example\r\n\r\n".utf8))
        #expect(await http.waitForClose())
        try await expectListenerStillServes(listener)
        await listener.close()
    }

    @Test func overLimitLengthPrefixIsClosedWithoutWaitingForTheBody() async throws {
        let (_, listener) = try await TestPeers.listener()
        let raw = try await RawPeer.connect(port: listener.port)
        // 64 KiB + 1 announced before authentication; the body never comes.
        try await raw.send(Varint.encoded(UInt64(FramingLimits.unauthenticatedFrameLength + 1)))
        #expect(await raw.waitForClose())
        try await expectListenerStillServes(listener)
        await listener.close()
    }

    @Test func fiveByteLengthPrefixIsClosed() async throws {
        let (_, listener) = try await TestPeers.listener()
        let raw = try await RawPeer.connect(port: listener.port)
        // The reference reads this as length 0 (signed 32-bit overflow); we refuse it.
        try await raw.send([0x80, 0x80, 0x80, 0x80, 0x40])
        #expect(await raw.waitForClose())
        try await expectListenerStillServes(listener)
        await listener.close()
    }

    @Test func connectionResetRightAfterConnectCostsOnlyItself() async throws {
        let (_, listener) = try await TestPeers.listener()
        for _ in 0..<20 {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: listener.port)
                .get()
            // Linger 0: close sends RST instead of FIN.
            try await (channel as! any SocketOptionProvider).setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
            try await channel.close()
        }
        try await expectListenerStillServes(listener)
        await listener.close()
    }

    @Test func tamperedCiphertextClosesTheSessionWithAnError() async throws {
        let (_, listener) = try await TestPeers.listener()
        let proxy = try await TamperingProxy.start(targetPort: listener.port)
        async let acceptedConnection = TestPeers.accept(listener)
        let dialer = try await Peer(configuration: TestPeers.configuration()).dial("127.0.0.1:\(proxy.port)")
        let accepted = try await acceptedConnection
        let server = Task { await serveEcho(accepted) }
        // One round trip first, so the session is past the dialer's hold-back and quiet.
        let stream = try await dialer.openStream()
        try await stream.write([1, 2, 3])
        var inbound = stream.inbound.makeAsyncIterator()
        #expect(try await inbound.next() == [1, 2, 3])

        proxy.set(.flipNextByte)
        try await stream.write([4, 5, 6])
        #expect(await accepted.closed() == .connectionClosed(code: .authFailed, reason: "a frame failed to decrypt"))
        await #expect(throws: SNaP2PError.self) { _ = try await inbound.next() }
        await server.value
        await proxy.close()
        await listener.close()
    }

    @Test func unansweredPingsCloseTheSession() async throws {
        let keepalive = PeerConfiguration.Keepalive(interval: .seconds(1), timeout: .seconds(1))
        let (_, listener) = try await TestPeers.listener(TestPeers.configuration(keepalive: keepalive))
        let proxy = try await TamperingProxy.start(targetPort: listener.port)
        async let acceptedConnection = TestPeers.accept(listener)
        let dialer = try await Peer(configuration: TestPeers.configuration()).dial("127.0.0.1:\(proxy.port)")
        let accepted = try await acceptedConnection
        // The dialer goes silent: its PONGs never reach the listener.
        proxy.set(.blackhole)
        let error = await accepted.closed()
        guard case .connectionClosed(let code, _)? = error else {
            Issue.record("expected a keepalive timeout, got \(String(describing: error))")
            return
        }
        #expect(code == .timeout)
        await dialer.close()
        await proxy.close()
        await listener.close()
    }
}
