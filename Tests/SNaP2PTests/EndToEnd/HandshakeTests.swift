import Testing
@testable import SNaP2P
import SNaP2PIdentity
import SNaP2PSession
import SNaP2PWire
import SNaP2PNoise

@Suite struct HandshakeTests {
    @Test func bothSidesLearnEachOthersPrincipal() async throws {
        let (listeningPeer, listener) = try await TestPeers.listener()
        let dialingPeer = Peer(configuration: TestPeers.configuration())

        async let accepted = TestPeers.accept(listener)
        let dialed = try await dialingPeer.dial("127.0.0.1:\(listener.port)")
        let connection = try await accepted

        #expect(dialed.remotePrincipal == listeningPeer.principal)
        #expect(dialed.localPrincipal == dialingPeer.principal)
        #expect(connection.remotePrincipal == dialingPeer.principal)
        #expect(connection.localPrincipal == listeningPeer.principal)
        #expect(dialed.sessionID.count == 32)
        #expect(dialed.sessionID == connection.sessionID)
        await dialed.close()
        #expect(await connection.closed() == nil)
        await listener.close()
    }

    @Test func dialsByHostAndPortAndByIPv6() async throws {
        let peer = Peer(configuration: TestPeers.configuration())
        let listener = try await peer.listen(host: "::1", port: 0)
        let dialer = Peer(configuration: TestPeers.configuration())
        let byHost = try await dialer.dial(host: "::1", port: listener.port)
        #expect(byHost.remotePrincipal == peer.principal)
        let byText = try await dialer.dial("[::1]:\(listener.port)")
        #expect(byText.remotePrincipal == peer.principal)
        await byHost.close()
        await byText.close()
        await listener.close()
    }

    @Test func rejectsMalformedAddresses() async throws {
        let peer = Peer(configuration: TestPeers.configuration())
        for text in ["127.0.0.1", "::1:80", "[::1]80", ":80", "host:http", "host:70000"] {
            await #expect(throws: SNaP2PError.invalidAddress(text)) { try await peer.dial(text) }
        }
    }

    @Test func allowlistRefusalReachesTheDialerAsNotAllowed() async throws {
        let friend = Peer(configuration: TestPeers.configuration())
        let (_, listener) = try await TestPeers.listener(TestPeers.configuration(
            visibility: .private,
            authorization: AllowlistPolicy([friend.principal])
        ))
        let stranger = Peer(configuration: TestPeers.configuration())
        await #expect {
            try await stranger.dial("127.0.0.1:\(listener.port)")
        } throws: { error in
            guard case SNaP2PError.handshakeFailed(let code, _) = error else { return false }
            return code == .notAllowed
        }
        let admitted = try await friend.dial("127.0.0.1:\(listener.port)")
        #expect(admitted.remotePrincipal != friend.principal)
        await admitted.close()
        await listener.close()
    }

    @Test func expiredAttestationIsRefused() async throws {
        let (_, listener) = try await TestPeers.listener()
        let twoDaysAgo = WallClock.unixSeconds() - 2 * 24 * 3600
        let stale = Peer(wallet: nil, configuration: TestPeers.configuration(), attestationClock: { twoDaysAgo })
        await #expect {
            try await stale.dial("127.0.0.1:\(listener.port)")
        } throws: { error in
            guard case SNaP2PError.handshakeFailed(let code, _) = error else { return false }
            return code == .attestationExpired
        }
        await listener.close()
    }

    @Test func wrongNetworkAttestationIsRefused() async throws {
        let (_, listener) = try await TestPeers.listener()
        var mainnet = TestPeers.configuration()
        mainnet.network = .mainnet
        let foreign = Peer(configuration: mainnet)
        await #expect {
            try await foreign.dial("127.0.0.1:\(listener.port)")
        } throws: { error in
            guard case SNaP2PError.handshakeFailed(let code, _) = error else { return false }
            return code == .attestationInvalid
        }
        await listener.close()
    }

    @Test func flowControlOnlyWhenBothOfferIt() async throws {
        for (dialerOffers, listenerOffers) in [(true, true), (true, false), (false, true), (false, false)] {
            let pair = try await ConnectedPair.make(
                dialerConfiguration: TestPeers.configuration(flowControl: dialerOffers),
                listenerConfiguration: TestPeers.configuration(flowControl: listenerOffers)
            )
            #expect(pair.dialer.isFlowControlled == (dialerOffers && listenerOffers))
            #expect(pair.accepted.isFlowControlled == (dialerOffers && listenerOffers))
            await pair.close()
        }
    }

    @Test func handshakeTimesOutAgainstASilentListener() async throws {
        // A plain TCP server that accepts and never answers.
        let silent = try await RawListener.start()
        let peer = Peer(configuration: TestPeers.configuration(handshakeTimeout: .milliseconds(300)))
        await #expect {
            try await peer.dial("127.0.0.1:\(silent.port)")
        } throws: { error in
            guard case SNaP2PError.handshakeFailed(let code, _) = error else { return false }
            return code == .timeout
        }
        await silent.close()
    }
}

extension HandshakeTests {
    /// PROTOCOL.md §6: the reference listener loses bytes that arrive with the dialer's AUTH_OK,
    /// so after AUTH_OK the dialer sends nothing until the listener's first session frame arrived.
    @Test func dialerWaitsForTheListenersFirstFrameAfterAuthOK() async throws {
        let (_, listener) = try await TestPeers.listener()
        // Listener frames: msg2, HELLO, AUTH, AUTH_OK, then its first PING (number 5), held 300 ms.
        let proxy = try await FrameTimelineProxy.start(targetPort: listener.port, holdListenerFramesFrom: 5, delay: .milliseconds(300))
        async let accepted = TestPeers.accept(listener)
        let dialer = try await Peer(configuration: TestPeers.configuration()).dial("127.0.0.1:\(proxy.port)")
        // The app writes at once; dialer frames: msg1, msg3, HELLO, AUTH, AUTH_OK, then these.
        let stream = try await dialer.openStream(label: "eager")
        try await stream.write(Array("right away".utf8))
        let connection = try await accepted
        var incoming = connection.incomingStreams.makeAsyncIterator()
        let received = try #require(await incoming.next())
        var inbound = received.inbound.makeAsyncIterator()
        #expect(try await inbound.next() == Array("right away".utf8))

        let dialersFirstSessionFrame = try #require(proxy.forwarded(.dialer, 6))
        let listenersFirstSessionFrame = proxy.forwarded(.listener, 5)
        #expect(
            listenersFirstSessionFrame.map { dialersFirstSessionFrame > $0 } == true,
            "the dialer sent its first session frame before the listener's first frame reached it"
        )
        await dialer.close()
        await proxy.close()
        await listener.close()
    }
}

extension HandshakeTests {
    /// The dialer's hold ends after a grace period when the listener never speaks first (a peer
    /// with keepalive off): data still flows instead of waiting forever.
    @Test func dialerStopsHoldingWhenTheListenerStaysSilent() async throws {
        // The held frames include PONGs: keepalive must not end the session while they wait.
        let patient = TestPeers.configuration(keepalive: .init(interval: .seconds(120), timeout: .seconds(120)))
        let (_, listener) = try await TestPeers.listener(patient)
        // Listener frames from the 5th (its first session frame) on are held far past the grace period.
        let proxy = try await FrameTimelineProxy.start(targetPort: listener.port, holdListenerFramesFrom: 5, delay: .seconds(90))
        async let accepted = TestPeers.accept(listener)
        let dialer = try await Peer(configuration: patient).dial("127.0.0.1:\(proxy.port)")
        let stream = try await dialer.openStream(label: "patient")
        try await stream.write(Array("sent after the grace period".utf8))
        let connection = try await accepted
        var incoming = connection.incomingStreams.makeAsyncIterator()
        let received = try #require(await incoming.next())
        var inbound = received.inbound.makeAsyncIterator()
        #expect(try await inbound.next() == Array("sent after the grace period".utf8))
        #expect(proxy.forwarded(.listener, 5) == nil, "the listener's first session frame was not held back")
        await dialer.close()
        await proxy.close()
        await listener.close()
    }

    /// PROTOCOL.md §6, the listener's half: a dialer that does not wait (as the reference's does
    /// not) may put its first session frames in the same TCP segment as its AUTH_OK; the listener
    /// must read them from the bytes it already has.
    @Test func listenerKeepsSessionBytesThatArriveWithAuthOK() async throws {
        let (_, listener) = try await TestPeers.listener()
        async let accepted = TestPeers.accept(listener)

        // A dialer driven by hand: the handshake machine over a plain socket.
        let wallet = LocalWallet.ephemeral(network: .testnet)
        let nodeKey = NodeKey.generate()
        let attestation = try await NodeKeyAttestation.issue(wallet: wallet, nodePublicKey: nodeKey.publicKey)
        var machine = HandshakeStateMachine(configuration: HandshakeConfiguration(
            role: .initiator, nodeKey: nodeKey, attestation: attestation, network: .testnet
        ))
        let raw = try await RawPeer.connect(port: listener.port)
        var decoder = FrameDecoder()
        var consumed = 0
        var actions = machine.start(now: WallClock.unixSeconds())
        var session: EstablishedSession?
        while session == nil {
            var outgoing: [UInt8] = []
            for action in actions {
                switch action {
                case .send(let body): outgoing += Framing.frame(body)
                case .established(let established): session = established
                case .close(let error): throw error
                }
            }
            if var established = session {
                // AUTH_OK and the first session frames leave in one write.
                for message: ControlMessage in [
                    .openStream(streamID: 0, label: "early"),
                    .streamData(streamID: 0, data: Array("sent with AUTH_OK".utf8), fin: true),
                ] {
                    try established.cipher.sealFrame(message, appendingTo: &outgoing)
                }
                try await raw.send(outgoing)
                break
            }
            if !outgoing.isEmpty { try await raw.send(outgoing) }
            actions = []
            while actions.isEmpty {
                let received = raw.bytes
                if received.count > consumed {
                    decoder.append(received[consumed...])
                    consumed = received.count
                    while let frame = try decoder.nextFrame() {
                        actions += machine.receive(frame: frame, now: WallClock.unixSeconds())
                    }
                } else {
                    try await Task.sleep(for: .milliseconds(2))
                }
            }
        }

        let connection = try await accepted
        #expect(connection.remotePrincipal == wallet.principal)
        var incoming = connection.incomingStreams.makeAsyncIterator()
        let stream = try #require(await incoming.next())
        #expect(stream.label == "early")
        #expect(try await stream.inbound.collect(upTo: 1024) == Array("sent with AUTH_OK".utf8))
        await raw.close()
        await listener.close()
    }
}
