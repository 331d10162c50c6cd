import SNaP2PIdentity
import SNaP2PWire
import Testing
import TestSupport

@testable import SNaP2PSession

/// Alias cards in AUTH: exchanged only when both HELLOs announce `alias1`, checked against the
/// authenticated principal, and never a reason to refuse a session.
@Suite struct AliasCardExchangeTests {
    static func card(for peer: TestPeer, alias: String, issuedAt: UInt64 = TestPeer.now) async throws -> AliasCard {
        try await AliasCard.issue(wallet: peer.wallet, alias: alias, displayName: alias.capitalized, issuedAt: issuedAt)
    }

    @Test func bothSidesReceiveEachOthersCard() async throws {
        let alice = try await TestPeer.make()
        let bob = try await TestPeer.make()
        let aliceCard = try await Self.card(for: alice, alias: "alice")
        let bobCard = try await Self.card(for: bob, alias: "bob")
        let run = HandshakeRun(
            dialer: HandshakeStateMachine(configuration: alice.configuration(.initiator, aliasCard: aliceCard)),
            listener: HandshakeStateMachine(configuration: bob.configuration(.responder, aliasCard: bobCard))
        )
        let dialer = try #require(run.dialer.session)
        let listener = try #require(run.listener.session)
        #expect(try dialer.remoteAliasCard?.get() == bobCard)
        #expect(try listener.remoteAliasCard?.get() == aliceCard)
    }

    @Test func aSideWithoutACardStillReceivesThePeers() async throws {
        let alice = try await TestPeer.make()
        let bob = try await TestPeer.make()
        let bobCard = try await Self.card(for: bob, alias: "bob")
        let run = HandshakeRun(
            dialer: HandshakeStateMachine(configuration: alice.configuration(.initiator)),
            listener: HandshakeStateMachine(configuration: bob.configuration(.responder, aliasCard: bobCard))
        )
        #expect(try run.dialer.session?.remoteAliasCard?.get() == bobCard)
        let listener = try #require(run.listener.session)
        #expect(listener.remoteAliasCard == nil)
    }

    /// A peer that does not announce `alias1` (the TypeScript reference) gets an empty `hd`, and a
    /// card it sends anyway is ignored.
    @Test(arguments: [false, true])
    func noCardCrossesWithoutBothCapabilities(dialerAnnounces: Bool) async throws {
        let alice = try await TestPeer.make()
        let bob = try await TestPeer.make()
        let run = HandshakeRun(
            dialer: HandshakeStateMachine(configuration: alice.configuration(
                .initiator, capabilities: dialerAnnounces ? ["fc1", "alias1"] : ["fc1"],
                aliasCard: try await Self.card(for: alice, alias: "alice"))),
            listener: HandshakeStateMachine(configuration: bob.configuration(
                .responder, capabilities: dialerAnnounces ? ["fc1"] : ["fc1", "alias1"],
                aliasCard: try await Self.card(for: bob, alias: "bob")))
        )
        let dialer = try #require(run.dialer.session)
        let listener = try #require(run.listener.session)
        #expect(dialer.remoteAliasCard == nil && listener.remoteAliasCard == nil)
        // Neither AUTH carried handshake data: each is an AUTH with an empty `hd` plus the AEAD tag.
        // Frames: message 1-3, HELLO both ways, then the dialer's and the listener's AUTH.
        let emptyAuth = { (peer: TestPeer) in ControlMessage.auth(attestation: peer.attestation.serialized(), handshakeData: []).encoded().count + 16 }
        #expect(run.frames[5].fromDialer && run.frames[5].body.count == emptyAuth(alice))
        #expect(!run.frames[6].fromDialer && run.frames[6].body.count == emptyAuth(bob))
    }

    @Test func aCardThatDoesNotVerifyIsDroppedAndTheSessionGoesOn() async throws {
        let alice = try await TestPeer.make()
        let bob = try await TestPeer.make()
        let mallory = try await TestPeer.make()
        let cases: [(AliasCard, AliasCardError)] = [
            (try await Self.card(for: mallory, alias: "alice"), .wrongPrincipal(card: mallory.wallet.principal, session: alice.wallet.principal)),
            (try await Self.card(for: alice, alias: "alice", issuedAt: TestPeer.now - 8 * 86_400), .expired),
            (try await Self.card(for: alice, alias: "alice", issuedAt: TestPeer.now + 3600), .notYetValid),
        ]
        for (card, expected) in cases {
            let run = HandshakeRun(
                dialer: HandshakeStateMachine(configuration: alice.configuration(.initiator, aliasCard: card)),
                listener: HandshakeStateMachine(configuration: bob.configuration(.responder))
            )
            let listener = try #require(run.listener.session, "\(expected)")
            #expect(throws: expected) { try listener.remoteAliasCard?.get() }
            #expect(run.dialer.session != nil)
        }
    }
}
