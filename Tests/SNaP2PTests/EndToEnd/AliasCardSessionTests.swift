import SNaP2P
import SNaP2PIdentity
import Testing

@testable import SNaP2P

/// Alias cards between Swift peers over 127.0.0.1, and the book that keeps the latest per principal.
@Suite struct AliasCardSessionTests {
    @Test func twoPeersSeeEachOthersAlias() async throws {
        var listening = TestPeers.configuration()
        listening.alias = try PeerConfiguration.Alias("Alice", displayName: "Alice 🌻")
        let (alice, listener) = try await TestPeers.listener(listening)
        var dialing = TestPeers.configuration()
        dialing.alias = try PeerConfiguration.Alias("bob")
        let bob = Peer(configuration: dialing)

        async let acceptedConnection = TestPeers.accept(listener)
        let dialed = try await bob.dial("127.0.0.1:\(listener.port)")
        let accepted = try await acceptedConnection

        let aliceCard = try #require(dialed.remoteAlias)
        #expect(aliceCard.alias == "alice" && aliceCard.displayName == "Alice 🌻")
        #expect(aliceCard.principal == alice.principal)
        let bobCard = try #require(accepted.remoteAlias)
        #expect(bobCard.alias == "bob" && bobCard.displayName == "")
        #expect(bobCard.principal == bob.principal)
        await dialed.close()
        await listener.close()
    }

    @Test func aPeerWithoutAnAliasPresentsNoCardAndTheSessionWorks() async throws {
        var listening = TestPeers.configuration()
        listening.alias = try PeerConfiguration.Alias("alice")
        let (_, listener) = try await TestPeers.listener(listening)
        async let acceptedConnection = TestPeers.accept(listener)
        let dialed = try await Peer(configuration: TestPeers.configuration()).dial("127.0.0.1:\(listener.port)")
        let accepted = try await acceptedConnection
        #expect(accepted.remoteAlias == nil)
        #expect(dialed.remoteAlias?.alias == "alice")
        let stream = try await dialed.openStream()
        try await stream.write([1, 2, 3])
        try await stream.finish()
        var incoming = accepted.incomingStreams.makeAsyncIterator()
        var received: [UInt8] = []
        for try await chunk in try #require(await incoming.next()).inbound { received += chunk }
        #expect(received == [1, 2, 3])
        await dialed.close()
        await listener.close()
    }

    @Test func invalidAliasesAreRefusedBeforeAnyPeerExists() {
        #expect(throws: AliasCardError.self) { try PeerConfiguration.Alias("two words") }
        #expect(throws: AliasCardError.self) { try PeerConfiguration.Alias("ok", displayName: "bell\u{7}") }
    }

    // MARK: The book

    @Test func theLatestCardOfAPrincipalWinsAndAnExpiredOneIsNotShown() async throws {
        let wallet = LocalWallet.ephemeral(network: .testnet)
        let now: UInt64 = 1_764_000_000
        let older = try await AliasCard.issue(wallet: wallet, alias: "old", issuedAt: now - 100)
        let newer = try await AliasCard.issue(wallet: wallet, alias: "new", issuedAt: now)
        let book = AliasBook()
        book.record(newer)
        book.record(older)
        #expect(book.card(of: wallet.principal, at: now)?.alias == "new")
        #expect(book.card(of: wallet.principal, at: newer.expiresAt) == nil)
        let other = LocalWallet.ephemeral(network: .testnet)
        #expect(book.card(of: other.principal, at: now) == nil)
    }

    @Test func theBookForgetsTheSoonestToExpireWhenFull() async throws {
        let now: UInt64 = 1_764_000_000
        let book = AliasBook()
        var first: Principal?
        for index in 0..<AliasBook.capacity {
            let wallet = LocalWallet.ephemeral(network: .testnet)
            // The first card expires soonest.
            let card = try await AliasCard.issue(wallet: wallet, alias: "p\(index)", issuedAt: now, validity: index == 0 ? 60 : 3600)
            first = first ?? wallet.principal
            book.record(card)
        }
        let late = LocalWallet.ephemeral(network: .testnet)
        book.record(try await AliasCard.issue(wallet: late, alias: "late", issuedAt: now))
        #expect(book.card(of: late.principal, at: now)?.alias == "late")
        #expect(book.card(of: try #require(first), at: now) == nil)
    }
}
