import Testing
@testable import SNaP2P
import SNaP2PIdentity
import SNaP2PSession
import SNaP2PWire
import SNaP2PNoise

@Suite struct AdmissionTests {
    private func expectHandshakeFailure(
        _ code: ProtocolErrorCode,
        sourceLocation: SourceLocation = #_sourceLocation,
        _ dial: () async throws -> Connection
    ) async {
        await #expect(sourceLocation: sourceLocation) {
            _ = try await dial()
        } throws: { error in
            guard case SNaP2PError.handshakeFailed(let actual, _) = error else { return false }
            return actual == code
        }
    }

    @Test func stealthAdmitsAValidToken() async throws {
        let tokens = InviteTokenStore()
        let token = tokens.issue()
        let (peer, listener) = try await TestPeers.listener(TestPeers.configuration(visibility: .stealth, inviteTokens: tokens))
        let dialer = Peer(configuration: TestPeers.configuration())
        let connection = try await dialer.dial("127.0.0.1:\(listener.port)", inviteToken: token)
        #expect(connection.remotePrincipal == peer.principal)
        await connection.close()
        await listener.close()
    }

    @Test func stealthRefusesAWrongTokenWithInvalidToken() async throws {
        let tokens = InviteTokenStore()
        _ = tokens.issue()
        let (_, listener) = try await TestPeers.listener(TestPeers.configuration(visibility: .stealth, inviteTokens: tokens))
        let dialer = Peer(configuration: TestPeers.configuration())
        await expectHandshakeFailure(.invalidToken) {
            try await dialer.dial("127.0.0.1:\(listener.port)", inviteToken: [UInt8](repeating: 0xAB, count: 32))
        }
        await listener.close()
    }

    @Test func stealthSpentSingleUseTokenIsInvalid() async throws {
        let tokens = InviteTokenStore()
        let token = tokens.issue(uses: .single)
        let (_, listener) = try await TestPeers.listener(TestPeers.configuration(visibility: .stealth, inviteTokens: tokens))
        let dialer = Peer(configuration: TestPeers.configuration())
        let first = try await dialer.dial("127.0.0.1:\(listener.port)", inviteToken: token)
        await first.close()
        await expectHandshakeFailure(.invalidToken) {
            try await dialer.dial("127.0.0.1:\(listener.port)", inviteToken: token)
        }
        await listener.close()
    }

    @Test func stealthAnswersAControlMessageWithoutKnockWithInviteRequired() async throws {
        let (_, listener) = try await TestPeers.listener(TestPeers.configuration(visibility: .stealth))
        let raw = try await RawPeer.connect(port: listener.port)
        try await raw.send(Framing.frame(ControlMessage.ping(seq: 0, timestamp: 0).encoded()))
        #expect(await raw.waitForClose())
        let reply = Array(raw.bytes.dropFirst(1))
        #expect(try ControlMessage.decode(reply) == .authFail(code: .inviteRequired, reason: "Invite token required for stealth mode"))
        await listener.close()
    }

    @Test func stealthClosesSilentlyOnADialerWithoutToken() async throws {
        let (_, listener) = try await TestPeers.listener(TestPeers.configuration(visibility: .stealth))
        let dialer = Peer(configuration: TestPeers.configuration())
        await expectHandshakeFailure(.connectionClosed) {
            try await dialer.dial("127.0.0.1:\(listener.port)")
        }
        await listener.close()
    }

    /// The stealth default is 5 a minute; the test uses 5 an hour so a slow machine cannot let the
    /// window pass between the attempts.
    @Test func rateLimitRefusesTheSixthAttemptInItsWindow() async throws {
        #expect(TestPeers.configuration(visibility: .stealth, rateLimit: .automatic).effectiveRateLimit == .stealth)
        #expect(ConnectionRateLimit.stealth == ConnectionRateLimit(maximumConnections: 5, per: .seconds(60)))
        let tokens = InviteTokenStore()
        let token = tokens.issue()
        let (_, listener) = try await TestPeers.listener(TestPeers.configuration(
            visibility: .stealth, inviteTokens: tokens,
            rateLimit: .custom(ConnectionRateLimit(maximumConnections: 5, per: .seconds(3600)))
        ))
        let dialer = Peer(configuration: TestPeers.configuration())
        for _ in 0..<5 {
            let connection = try await dialer.dial("127.0.0.1:\(listener.port)", inviteToken: token)
            await connection.close()
        }
        await expectHandshakeFailure(.connectionClosed) {
            try await dialer.dial("127.0.0.1:\(listener.port)", inviteToken: token)
        }
        await listener.close()
    }
}
