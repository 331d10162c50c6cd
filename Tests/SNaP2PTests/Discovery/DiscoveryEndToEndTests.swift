import SNaP2P
import SNaP2PDiscovery
import SNaP2PIdentity
import Testing

@testable import SNaP2P

/// PX-1 between real peers on 127.0.0.1: dialing by principal through the peers one holds
/// sessions with, lying hints, floods, the policy of each visibility, and peers without PX-1.
@Suite struct DiscoveryEndToEndTests {
    @Test func fivePeersReachEachOtherByPrincipalThroughAHub() async throws {
        let hub = try await DiscoveryNode()
        var spokes: [DiscoveryNode] = []
        for _ in 0..<5 {
            let spoke = try await DiscoveryNode()
            try await spoke.connect(to: hub)
            spokes.append(spoke)
        }
        // Every spoke listens publicly, so it told the hub where after its handshake.
        try await hub.waitForCache(count: 5)
        for (index, spoke) in spokes.enumerated() {
            for (otherIndex, other) in spokes.enumerated() where otherIndex != index {
                let connection = try await spoke.peer.dial(principal: other.principal)
                #expect(connection.remotePrincipal == other.principal)
                #expect(connection.remoteAddress == other.address)
                #expect(try await connection.echo("\(index)→\(otherIndex)") == "\(index)→\(otherIndex)")
                await connection.close()
            }
            // The hub itself: known from the spoke's own dial.
            let hubSession = try await spoke.peer.dial(principal: hub.principal)
            #expect(hubSession.remotePrincipal == hub.principal)
            await hubSession.close()
        }
        for node in spokes + [hub] { await node.close() }
    }

    @Test func aDialByPrincipalLearnsWhereItSucceeded() async throws {
        let (hub, alice, carol) = (try await DiscoveryNode(), try await DiscoveryNode(), try await DiscoveryNode())
        try await alice.connect(to: hub)
        try await hub.waitForCache(count: 1)
        try await carol.connect(to: hub)
        let first = try await carol.peer.dial(principal: alice.principal)
        await first.close()
        await hub.close()  // nobody left to ask: the cache must do
        let second = try await carol.peer.dial(principal: alice.principal)
        #expect(second.remotePrincipal == alice.principal)
        await second.close()
        for node in [alice, carol] { await node.close() }
    }

    @Test func theSourceAddressOfAnInboundSessionIsNeverLearned() async throws {
        let hub = try await DiscoveryNode()
        let dialer = Peer(configuration: TestPeers.configuration())  // listens nowhere: pushes nothing
        let session = try await dialer.dial(hub.address)
        #expect(try await session.echo("hello") == "hello")
        #expect(hub.peer.discovery.cachedLocators(of: dialer.principal).isEmpty)
        #expect(hub.peer.discovery.cachedPrincipalCount == 0)
        #expect(dialer.discovery.cachedLocators(of: hub.principal) == [try Locator(hub.address)])
        await session.close()
        await hub.close()
    }

    @Test func anUnknownPrincipalFailsWithWhoWasAsked() async throws {
        let (hub, carol) = (try await DiscoveryNode(), try await DiscoveryNode())
        try await carol.connect(to: hub)
        let nobody = LocalWallet.ephemeral(network: .testnet).principal
        let error = try await #require(throws: PrincipalDialError.self) { try await carol.peer.dial(principal: nobody) }
        guard case .notFound(let principal, let asked) = error else { throw TestFailure("expected notFound, got \(error)") }
        #expect(principal == nobody)
        #expect(asked == [ResolverAnswer(resolver: hub.principal, remoteAddress: hub.address, outcome: .noneKnown)])
        for node in [hub, carol] { await node.close() }
    }

    @Test func aLyingHintIsAFailedCandidateAndTheTruthStillWins() async throws {
        let (hub, alice, bob, mallory, carol) = (
            try await DiscoveryNode(), try await DiscoveryNode(), try await DiscoveryNode(), try await DiscoveryNode(), try await DiscoveryNode())
        // Mallory claims alice listens where bob does.
        let lie = try Locator(bob.address)
        let malloryToHub = try await mallory.connect(to: hub)
        _ = try await malloryToHub.sendPX([.push(.init(principal: alice.principal, locators: [lie], ttlSeconds: 3600))])
        try await carol.connect(to: hub)
        let onlyTheLie = try await #require(throws: PrincipalDialError.self) { try await carol.peer.dial(principal: alice.principal) }
        guard case .unreachable(_, _, let attempts) = onlyTheLie else { throw TestFailure("expected unreachable, got \(onlyTheLie)") }
        #expect(attempts == [CandidateFailure(
            locator: lie, source: .resolver(hub.principal), error: .principalMismatch(expected: alice.principal, actual: bob.principal))])
        // Once alice has told the hub herself, carol reaches her: the lie is tried and skipped, or forgotten.
        try await alice.connect(to: hub)
        for _ in 0..<3000 where hub.peer.discovery.cachedLocators(of: alice.principal).count < 2 {
            try await Task.sleep(for: .milliseconds(10))
        }
        let connection = try await carol.peer.dial(principal: alice.principal)
        #expect(connection.remotePrincipal == alice.principal)
        #expect(try await connection.echo("hi") == "hi")
        await connection.close()
        for node in [hub, alice, bob, mallory, carol] { await node.close() }
    }

    @Test func aFloodOfPushesStaysWithinTheCacheBound() async throws {
        var configuration = TestPeers.configuration()
        configuration.discovery.cache = LocatorCache.Limits(principals: 50)
        configuration.discovery.messageBurst = 10_000
        let hub = try await DiscoveryNode(configuration)
        let flooder = try await DiscoveryNode()
        let session = try await flooder.connect(to: hub)
        let pushes = (0..<500).map { index in
            PXMessage.push(.init(
                principal: LocalWallet.ephemeral(network: .testnet).principal,
                locators: [try! Locator("192.0.2.\(index % 250 + 1):\(1000 + index)")], ttlSeconds: 3600))
        }
        _ = try await session.sendPX(pushes)
        try await hub.waitForCache(count: 50)
        #expect(hub.peer.discovery.cachedPrincipalCount == 50)
        for node in [hub, flooder] { await node.close() }
    }

    @Test func pastTheRateTheStreamIsClosedAndTheSessionLivesOn() async throws {
        let hub = try await DiscoveryNode()
        let asker = try await DiscoveryNode()
        let session = try await asker.connect(to: hub)
        let requests = (0..<100).map { _ in PXMessage.resolveRequest(.init(principal: asker.principal)) }
        await #expect(throws: SNaP2PError.streamClosed(code: .rateLimited)) { _ = try await session.sendPX(requests) }
        #expect(try await session.echo("still here") == "still here")
        for node in [hub, asker] { await node.close() }
    }

    @Test func aMalformedMessageClosesOnlyThePXStream() async throws {
        let hub = try await DiscoveryNode()
        let asker = try await DiscoveryNode()
        let session = try await asker.connect(to: hub)
        let stream = try await session.openStream(label: PXLimits.streamLabel)
        try await stream.write([0x03, 0xa1, 0x61, 0x76])  // a map of one key and no value
        try await stream.finish()
        await #expect(throws: SNaP2PError.streamClosed(code: .invalidMessage)) { _ = try await stream.inbound.collect(upTo: 1024) }
        #expect(try await session.echo("still here") == "still here")
        for node in [hub, asker] { await node.close() }
    }

    @Test func aPrivatePeerAnswersButNeverTellsWhereItListens() async throws {
        var privateConfiguration = TestPeers.configuration(visibility: .private)
        privateConfiguration.authorization = AllowAllPolicy()
        let privateHub = try await DiscoveryNode(privateConfiguration)
        let alice = try await DiscoveryNode()
        let carol = try await DiscoveryNode()
        let aliceToHub = try await alice.connect(to: privateHub)
        try await privateHub.waitForCache(count: 1)
        // The private hub answers about alice...
        try await carol.connect(to: privateHub)
        let connection = try await carol.peer.dial(principal: alice.principal)
        #expect(connection.remotePrincipal == alice.principal)
        await connection.close()
        // ...but never about itself, and pushes nothing about itself.
        let response = try await aliceToHub.sendPX([.resolveRequest(.init(principal: privateHub.principal))])
        var reader = PXMessageReader()
        reader.append(response)
        #expect(try reader.next() == .resolveResponse(.init(locators: [])))
        let hubSessions = privateHub.peer.discovery.resolvers(excluding: alice.principal)
        #expect(!hubSessions.isEmpty)
        #expect(hubSessions.allSatisfy { privateHub.peer.discovery.advertisedLocators(over: $0).isEmpty })
        #expect(alice.peer.discovery.cachedLocators(of: privateHub.principal) == [try Locator(privateHub.address)])  // its own dial only
        for node in [privateHub, alice, carol] { await node.close() }
    }

    @Test func aStealthPeerHasNoPXUnlessEnabledAndThenAnswersOnlyItsAllowlist() async throws {
        let alice = try await DiscoveryNode()
        let friend = try await DiscoveryNode()
        let stranger = try await DiscoveryNode()
        let tokens = InviteTokenStore()
        let token = tokens.issue()
        // Off by default: no px1 capability, nothing to ask.
        let quiet = try await DiscoveryNode(TestPeers.configuration(visibility: .stealth, inviteTokens: tokens))
        let quietSession = try await friend.peer.dial(quiet.address, inviteToken: token)
        friend.keep(quietSession)
        #expect(!quietSession.features.contains(.discovery))
        #expect(friend.peer.discovery.resolvers(excluding: alice.principal).isEmpty)
        // Enabled with an allowlist.
        var configuration = TestPeers.configuration(visibility: .stealth, inviteTokens: tokens)
        configuration.discovery = .init(enabled: true, stealthAllowlist: [friend.principal])
        let stealth = try await DiscoveryNode(configuration)
        alice.keep(try await alice.peer.dial(stealth.address, inviteToken: token))
        try await stealth.waitForCache(count: 1)
        let friendSession = try await friend.peer.dial(stealth.address, inviteToken: token)
        let strangerSession = try await stranger.peer.dial(stealth.address, inviteToken: token)
        let request = PXMessage.resolveRequest(.init(principal: alice.principal))
        var reader = PXMessageReader()
        reader.append(try await friendSession.sendPX([request]))
        #expect(try reader.next() == .resolveResponse(.init(locators: [try Locator(alice.address)])))
        reader = PXMessageReader()
        reader.append(try await strangerSession.sendPX([request]))
        #expect(try reader.next() == .resolveResponse(.init(locators: [])))
        // Never about itself.
        #expect(stealth.peer.discovery.resolvers(excluding: friend.principal).allSatisfy {
            stealth.peer.discovery.advertisedLocators(over: $0).isEmpty
        })
        await friendSession.close()
        await strangerSession.close()
        for node in [alice, friend, stranger, quiet, stealth] { await node.close() }
    }

    @Test func aPeerWithoutPXNeverSeesAPXStreamAndIsNotRequired() async throws {
        // Like a TypeScript peer: it announces no px1 (cap []), so nobody opens px-1 to it.
        var configuration = TestPeers.configuration()
        configuration.discovery.enabled = false
        let reference = try await DiscoveryNode(configuration)
        let swift = try await DiscoveryNode()
        let session = try await swift.connect(to: reference)
        #expect(!session.features.contains(.discovery))
        #expect(try await session.echo("first") == "first")
        #expect(reference.applicationStreamLabels == ["echo"])
        // Dialing by principal through it: nobody to ask, a clean typed failure.
        let error = try await #require(throws: PrincipalDialError.self) {
            try await swift.peer.dial(principal: LocalWallet.ephemeral(network: .testnet).principal)
        }
        #expect(error.asked.isEmpty)
        for node in [reference, swift] { await node.close() }
    }

    @Test func aPeerReachableOnlyThroughARelayIsFoundThroughIt() async throws {
        // The reserved peer listens nowhere; its reservation makes it tell the relay relay:HOST:PORT.
        let trio = try await RelayedTrio.make()
        let target = trio.reservedPeer.principal
        for _ in 0..<3000 where trio.relayPeer.discovery.cachedLocators(of: target).isEmpty {
            try await Task.sleep(for: .milliseconds(10))
        }
        let relayLocator = try Locator("relay:\(trio.relayAddress)")
        #expect(trio.relayPeer.discovery.cachedLocators(of: target) == [relayLocator])
        let dialerToRelay = try await trio.dialerPeer.dial(trio.relayAddress)
        async let accepted = trio.nextRelayed()
        let connection = try await trio.dialerPeer.dial(principal: target)
        let acceptedSide = try await accepted
        #expect(connection.remotePrincipal == target)
        #expect(connection.path.isRelayed)
        #expect(trio.dialerPeer.discovery.cachedLocators(of: target) == [relayLocator])
        let stream = try await connection.openStream(label: "echo")
        try await stream.write(Array("through the relay".utf8))
        try await stream.finish()
        var incoming = acceptedSide.incomingStreams.makeAsyncIterator()
        let served = try #require(await incoming.next())
        let received = try await served.inbound.collect(upTo: 1024)
        try await served.write(received)
        try await served.finish()
        #expect(String(decoding: try await stream.inbound.collect(upTo: 1024), as: UTF8.self) == "through the relay")
        await connection.close()
        await dialerToRelay.close()
        await trio.close()
    }

    @Test func aPinnedDialRefusesAnyoneElse() async throws {
        let (alice, bob, carol) = (try await DiscoveryNode(), try await DiscoveryNode(), try await DiscoveryNode())
        await #expect(throws: SNaP2PError.principalMismatch(expected: alice.principal, actual: bob.principal)) {
            _ = try await carol.peer.dial(bob.address, expecting: alice.principal)
        }
        let connection = try await carol.peer.dial(alice.address, expecting: alice.principal)
        #expect(connection.remotePrincipal == alice.principal)
        await connection.close()
        for node in [alice, bob, carol] { await node.close() }
    }
}
