import Testing
@testable import SNaP2PSession

@Suite struct InviteTokenStoreTests {
    @Test func issuedTokensAre32DistinctRandomBytes() {
        let store = InviteTokenStore()
        let tokens = (0..<64).map { _ in store.issue() }
        #expect(tokens.allSatisfy { $0.count == 32 })
        #expect(Set(tokens).count == tokens.count)
        #expect(store.activeCount == 64)
    }

    @Test func acceptsAnIssuedTokenRepeatedlyByDefault() {
        let store = InviteTokenStore()
        let token = store.issue()
        for _ in 0..<5 { #expect(store.redeem(token) == .accepted) }
    }

    @Test func rejectsUnknownTokensAndNearMisses() {
        let store = InviteTokenStore()
        let token = store.issue()
        var flipped = token
        flipped[31] ^= 0x01
        #expect(store.redeem(flipped) == .unknown)
        #expect(store.redeem(Array(token.prefix(16))) == .unknown)
        #expect(store.redeem(token + [0]) == .unknown)
        #expect(store.redeem([]) == .unknown)
        #expect(store.redeem(token) == .accepted)
    }

    @Test func expiresAfter24HoursByDefault() {
        let clock = ManualClock()
        let store = InviteTokenStore(clock: { clock.now })
        let token = store.issue()
        clock.advance(by: .seconds(24 * 60 * 60 - 1))
        #expect(store.redeem(token) == .accepted)
        clock.advance(by: .seconds(1))
        #expect(store.redeem(token) == .expired)
        #expect(store.redeem(token) == .unknown)
        #expect(store.activeCount == 0)
    }

    @Test func honoursCustomValidity() {
        let clock = ManualClock()
        let store = InviteTokenStore(clock: { clock.now })
        let token = store.issue(validity: .seconds(60))
        clock.advance(by: .seconds(61))
        #expect(store.redeem(token) == .expired)
    }

    @Test func singleUseTokenWorksOnce() {
        let store = InviteTokenStore()
        let token = store.issue(uses: .single)
        #expect(store.redeem(token) == .accepted)
        #expect(store.redeem(token) == .unknown)
    }

    @Test func limitedUsesCountDown() {
        let store = InviteTokenStore()
        let token = store.issue(uses: .limited(3))
        for _ in 0..<3 { #expect(store.redeem(token) == .accepted) }
        #expect(store.redeem(token) != .accepted)
    }

    @Test func zeroUsesNeverAccepts() throws {
        let store = InviteTokenStore()
        let token = [UInt8](repeating: 7, count: 16)
        try store.add(token, uses: .limited(0))
        #expect(store.redeem(token) == .usedUp)
    }

    @Test func revokeRemovesOnlyThatToken() {
        let store = InviteTokenStore()
        let first = store.issue()
        let second = store.issue()
        #expect(store.revoke(first))
        #expect(!store.revoke(first))
        #expect(store.redeem(first) == .unknown)
        #expect(store.redeem(second) == .accepted)
    }

    @Test func addAcceptsOnly16To32Bytes() throws {
        let store = InviteTokenStore()
        #expect(throws: InviteTokenStore.TokenError.invalidLength(15)) {
            try store.add([UInt8](repeating: 1, count: 15))
        }
        #expect(throws: InviteTokenStore.TokenError.invalidLength(33)) {
            try store.add([UInt8](repeating: 1, count: 33))
        }
        let short = [UInt8](repeating: 2, count: 16)
        try store.add(short)
        #expect(store.redeem(short) == .accepted)
    }

    @Test func addingTheSameTokenAgainReplacesItsTerms() throws {
        let store = InviteTokenStore()
        let token = [UInt8](repeating: 9, count: 20)
        try store.add(token, uses: .single)
        try store.add(token, uses: .unlimited)
        #expect(store.activeCount == 1)
        #expect(store.redeem(token) == .accepted)
        #expect(store.redeem(token) == .accepted)
    }
}
