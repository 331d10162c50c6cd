import NIOConcurrencyHelpers
import Testing
@testable import SNaP2P
import SNaP2PIdentity
import SNaP2PSession
import SNaP2PWire
import SNaP2PNoise

@Suite struct CancellationTests {
    @Test func cancellingTheAcceptingTaskClosesTheListener() async throws {
        let (_, listener) = try await TestPeers.listener()
        let accepting = Task {
            for await connection in listener { await connection.close() }
        }
        let dialer = Peer(configuration: TestPeers.configuration())
        try await dialer.dial("127.0.0.1:\(listener.port)").close()
        accepting.cancel()
        await accepting.value
        await #expect(throws: SNaP2PError.self) { try await dialer.dial("127.0.0.1:\(listener.port)") }
    }

    @Test func cancellingADialAbandonsTheConnection() async throws {
        let silent = try await RawListener.start()
        let peer = Peer(configuration: TestPeers.configuration())
        let dial = Task { try await peer.dial("127.0.0.1:\(silent.port)") }
        try await Task.sleep(for: .milliseconds(100))
        dial.cancel()
        await #expect(throws: CancellationError.self) { _ = try await dial.value }
        await silent.close()
    }

    @Test func cancellingASuspendedWriteAbortsTheStream() async throws {
        let pair = try await ConnectedPair.make()
        let stream = try await pair.dialer.openStream()
        var incoming = pair.accepted.incomingStreams.makeAsyncIterator()
        // Nobody reads on the other side: the window shuts and the second write has to wait.
        let writer = Task {
            let block = [UInt8](repeating: 1, count: 4 << 20)
            while true { try await stream.write(block) }
        }
        let remote = try #require(await incoming.next())
        try await Task.sleep(for: .milliseconds(200))
        writer.cancel()
        await #expect(throws: (any Error).self) { try await writer.value }
        await #expect(throws: SNaP2PError.streamClosed(code: .internalError)) {
            for try await _ in remote.inbound {}
        }
        await pair.close()
    }
}

@Suite struct AttestationRenewalTests {
    @Test func currentReissuesInTheLastQuarterOfTheValidity() async throws {
        let clock = UnixClock(now: 1_700_000_000)
        let credentials = PeerCredentials(
            wallet: LocalWallet.ephemeral(network: .testnet),
            validity: .seconds(400),
            clock: { clock.now }
        )
        let first = try await credentials.current().attestation
        #expect(first.issuedAt == 1_700_000_000)
        #expect(first.expiresAt == 1_700_000_400)
        clock.now += 299
        #expect(try await credentials.current().attestation.issuedAt == first.issuedAt)
        clock.now += 1
        let renewed = try await credentials.current().attestation
        #expect(renewed.issuedAt == 1_700_000_300)
        #expect(credentials.latest.attestation.issuedAt == renewed.issuedAt)
        #expect(credentials.latest.aliasCard == nil)
    }

    @Test func theAliasCardIsReissuedInTheLastQuarterOfItsSevenDays() async throws {
        let clock = UnixClock(now: 1_700_000_000)
        let credentials = PeerCredentials(
            wallet: LocalWallet.ephemeral(network: .testnet),
            validity: .seconds(86_400),
            alias: try PeerConfiguration.Alias("  Alice", displayName: "Alice 🌻"),
            clock: { clock.now }
        )
        let first = try #require(try await credentials.current().aliasCard)
        #expect(first.alias == "alice" && first.displayName == "Alice 🌻")
        #expect(first.expiresAt == 1_700_000_000 + AliasCard.defaultValidity)
        clock.now += AliasCard.defaultValidity * 3 / 4 - 1
        #expect(try await credentials.current().aliasCard == first)
        clock.now += 1
        let renewed = try #require(try await credentials.current().aliasCard)
        #expect(renewed.issuedAt == clock.now)
        #expect(try renewed.verify(at: clock.now, network: .testnet) == credentials.latest.attestation.principal)
    }

    @Test func aListeningPeerKeepsItsAttestationFresh() async throws {
        let credentials = PeerCredentials(wallet: LocalWallet.ephemeral(network: .testnet), validity: .seconds(4))
        let first = try await credentials.current().attestation
        let renewal = Task { await credentials.keepRenewed() }
        // Renewal is due one second before expiry (3 s in); a busy test run may run it late, so
        // wait for it rather than for a fixed time, looking once more after the deadline.
        let deadline = ContinuousClock.now + .seconds(30)
        while credentials.latest.attestation.issuedAt == first.issuedAt, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(credentials.latest.attestation.issuedAt > first.issuedAt)
        renewal.cancel()
    }
}

/// Unix seconds a test moves by hand.
final class UnixClock: @unchecked Sendable {
    private let lock = NIOLockedValueBox<UInt64>(0)
    init(now: UInt64) { lock.withLockedValue { $0 = now } }
    var now: UInt64 {
        get { lock.withLockedValue { $0 } }
        set { lock.withLockedValue { $0 = newValue } }
    }
}
