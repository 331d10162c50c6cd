import NIOCore
import SNaP2PRelay
import Testing

@testable import SNaP2P

/// The direct upgrade of a relayed connection (docs/NAT-TRAVERSAL.md, "Direct upgrade"), on
/// 127.0.0.1: a relay, a reserved peer and a dialer, both offering `upgrade1`.
@Suite struct DirectUpgradeTests {
    static func upgrading(timeout: Duration = .seconds(10)) -> PeerConfiguration {
        TestPeers.configuration(directUpgrade: true, directUpgradeTimeout: timeout)
    }

    @Test func aRelayedConnectionMovesOntoADirectOneAndTheRelayStopsForwarding() async throws {
        let trio = try await RelayedTrio.make(
            reservedConfiguration: Self.upgrading(), dialerConfiguration: Self.upgrading(), reservedPort: 0)
        let (dialed, accepted) = try await trio.connect()
        let server = Task { await serveEcho(accepted) }

        let dialerOutcome = await dialed.directUpgrade()
        let acceptorOutcome = await accepted.directUpgrade()
        guard case .upgraded(let path) = dialerOutcome, case .upgraded(let acceptedPath) = acceptorOutcome else {
            throw TestFailure("no upgrade: dialer \(dialerOutcome), reserved peer \(acceptorOutcome)")
        }
        // The direct connection goes between the two ports each used toward the relay.
        #expect(path == .direct(remoteAddress: trio.reservedToRelay.localAddress))
        #expect(acceptedPath.isRelayed == false)
        #expect(dialed.path == path && accepted.path == acceptedPath)

        // The relayed sessions are retired: the relay's circuit closes and it forwards no more.
        for await event in trio.service.events {
            if case .closed = event { break }
        }
        #expect(trio.service.relayedConnectionCount == 0)
        let forwarded = trio.service.forwardedByteCount
        try await expectEcho(of: 2 << 20, on: try await dialed.openStream(label: "direct"))
        let reverse = Task { await serveEcho(dialed) }
        try await expectEcho(of: 1 << 20, on: try await accepted.openStream(label: "back"))
        #expect(trio.service.forwardedByteCount == forwarded, "no byte crossed the relay after the upgrade")

        await dialed.close()
        #expect(await accepted.closed() == nil, "a clean close reaches the other side over the direct session")
        await server.value
        await reverse.value
        await trio.close()
    }

    @Test func aFailedUpgradeLeavesTheRelayedPathWorking() async throws {
        // The reserved peer's session with the relay did not leave from a reusable port: its side
        // of the simultaneous open cannot bind, and the dialer's SYNs find no one until the deadline.
        let trio = try await RelayedTrio.make(
            reservedConfiguration: Self.upgrading(), dialerConfiguration: Self.upgrading(timeout: .seconds(2)))
        let (dialed, accepted) = try await trio.connect()
        let server = Task { await serveEcho(accepted) }

        // While the dialer still punches, a cancelled wait returns at once; the upgrade goes on.
        let waiting = Task { await dialed.directUpgrade() }
        waiting.cancel()
        #expect(await waiting.value == .failed(reason: "no outcome yet: the wait was cancelled"))
        guard case .failed = await dialed.directUpgrade(), case .failed = await accepted.directUpgrade() else {
            throw TestFailure("the upgrade did not fail on both sides")
        }
        #expect(dialed.path.isRelayed && accepted.path.isRelayed)
        let forwarded = trio.service.forwardedByteCount
        try await expectEcho(of: 1 << 20, on: try await dialed.openStream(label: "relayed"))
        #expect(trio.service.forwardedByteCount - forwarded > 2 << 20, "the echo went through the relay")

        await dialed.close()
        #expect(await accepted.closed() == nil)
        await server.value
        await trio.close()
    }

    @Test func withoutTheCapabilityNoUpgradeIsTried() async throws {
        let trio = try await RelayedTrio.make(reservedConfiguration: Self.upgrading(), reservedPort: 0)
        let (dialed, accepted) = try await trio.connect()
        guard case .notAttempted = await dialed.directUpgrade(), case .notAttempted = await accepted.directUpgrade() else {
            throw TestFailure("an upgrade was tried without upgrade1 on both sides")
        }
        #expect(dialed.path.isRelayed)
        await dialed.close()
        _ = await accepted.closed()
        await trio.close()
    }

    @Test func aDirectConnectionHasNothingToUpgrade() async throws {
        let (peer, listener) = try await TestPeers.listener(Self.upgrading())
        async let accepted = TestPeers.accept(listener)
        let dialed = try await Peer(configuration: Self.upgrading()).dial("127.0.0.1:\(listener.port)")
        #expect(await dialed.directUpgrade() == .notAttempted(reason: "the connection is direct"))
        await dialed.close()
        _ = await (try await accepted).closed()
        await listener.close()
        withExtendedLifetime(peer) {}
    }

    @Test func announcedAddressesPutThePublicOneFirstAndCandidatesAreDialableOnce() throws {
        let local = try SocketAddress(ipAddress: "10.0.1.2", port: 40000)
        let origin = DirectUpgrade.Origin(localAddress: local, observedAddress: "198.51.100.1:61000")
        #expect(origin.announcedAddresses == ["198.51.100.1:61000", "10.0.1.2:40000"])
        #expect(origin.localPort == 40000)
        let loopback = DirectUpgrade.Origin(localAddress: try SocketAddress(ipAddress: "127.0.0.1", port: 5), observedAddress: "127.0.0.1:5")
        #expect(loopback.announcedAddresses == ["127.0.0.1:5"])
        #expect(DirectUpgrade.Origin(localAddress: nil, observedAddress: nil).localPort == nil)

        let candidates = DirectUpgrade.candidates(from: [
            "198.51.100.1:61000", "example.com:80", "198.51.100.1:61000", "[2001:db8::1]:9000", "10.0.0.1:0", "garbage",
        ])
        #expect(candidates.map { "\($0.host):\($0.port)" } == ["198.51.100.1:61000", "2001:db8::1:9000"])
        #expect(DirectUpgrade.dialerStartDelay(roundTrip: .milliseconds(80)) == .milliseconds(40))
    }
}
