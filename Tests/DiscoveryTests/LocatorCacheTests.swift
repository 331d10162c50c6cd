import SNaP2PDiscovery
import SNaP2PIdentity
import Testing

@Suite struct LocatorCacheTests {
    static func principal(_ index: Int) -> Principal {
        Principal(address: try! StacksAddress(
            version: .mainnetSingleSig, hash160: (0..<20).map { UInt8(truncatingIfNeeded: index >> ($0 % 4 * 8)) ^ UInt8($0) }))
    }

    static func locator(_ index: Int) -> Locator { try! Locator("192.0.2.\(index % 250 + 1):\(9000 + index / 250)") }

    @Test func learnsAndExpires() {
        var cache = LocatorCache(limits: .init(timeToLive: 100))
        let alice = Self.principal(1)
        cache.learn([Self.locator(1)], of: alice, ttl: 50, now: 1000)
        #expect(cache.locators(of: alice, now: 1049) == [Self.locator(1)])
        #expect(cache.locators(of: alice, now: 1050) == [])
        cache.learn([Self.locator(1)], of: alice, ttl: 10_000, now: 2000)  // capped at 100
        #expect(cache.locators(of: alice, now: 2099) == [Self.locator(1)])
        #expect(cache.locators(of: alice, now: 2100) == [])
    }

    @Test func newestLocatorsComeFirstAndArePerPrincipalBounded() {
        var cache = LocatorCache(limits: .init(locatorsPerPrincipal: 3))
        let alice = Self.principal(1)
        for index in 0..<5 { cache.learn([Self.locator(index)], of: alice, now: 10) }
        #expect(cache.locators(of: alice, now: 10) == [Self.locator(4), Self.locator(3), Self.locator(2)])
        cache.learn([Self.locator(2)], of: alice, now: 11)
        #expect(cache.locators(of: alice, now: 11) == [Self.locator(2), Self.locator(4), Self.locator(3)])
    }

    @Test func wildcardsAreNeverLearned() throws {
        var cache = LocatorCache()
        cache.learn([try Locator("0.0.0.0:9000"), try Locator("[::]:9000")], of: Self.principal(1), now: 0)
        #expect(cache.count == 0)
    }

    @Test func leastRecentlyUsedPrincipalIsEvicted() {
        var cache = LocatorCache(limits: .init(principals: 3))
        for index in 0..<3 { cache.learn([Self.locator(index)], of: Self.principal(index), now: 0) }
        _ = cache.locators(of: Self.principal(0), now: 0)  // 0 is now the most recently used
        cache.learn([Self.locator(3)], of: Self.principal(3), now: 0)
        #expect(cache.count == 3)
        #expect(cache.locators(of: Self.principal(1), now: 0) == [])
        #expect(cache.locators(of: Self.principal(0), now: 0) == [Self.locator(0)])
        #expect(cache.locators(of: Self.principal(3), now: 0) == [Self.locator(3)])
    }

    @Test func aFloodStaysWithinTheBound() {
        var cache = LocatorCache(limits: .init(principals: 100, locatorsPerPrincipal: 2))
        for index in 0..<10_000 {
            cache.learn([Self.locator(index), Self.locator(index + 1), Self.locator(index + 2)], of: Self.principal(index), now: 0)
        }
        #expect(cache.count == 100)
        #expect(cache.locators(of: Self.principal(9_999), now: 0).count == 2)
        #expect(cache.locators(of: Self.principal(0), now: 0) == [])
    }

    @Test func forgettingTheLastLocatorDropsThePrincipal() {
        var cache = LocatorCache()
        let alice = Self.principal(1)
        cache.learn([Self.locator(1), Self.locator(2)], of: alice, now: 0)
        cache.forget(Self.locator(1), of: alice)
        #expect(cache.locators(of: alice, now: 0) == [Self.locator(2)])
        cache.forget(Self.locator(2), of: alice)
        #expect(cache.count == 0)
    }
}

@Suite struct DiscoveryPolicyTests {
    static let friend = LocatorCacheTests.principal(7)
    static let stranger = LocatorCacheTests.principal(8)

    @Test func publicAnswersAndPushesItself() {
        let policy = DiscoveryPolicy(visibility: .public)
        #expect(policy.isEnabled && policy.pushesItself && policy.learnsPushes)
        #expect(policy.answers(Self.stranger))
    }

    @Test func privateAnswersButNeverPushesItself() {
        let policy = DiscoveryPolicy(visibility: .private)
        #expect(policy.isEnabled && !policy.pushesItself)
        #expect(policy.answers(Self.stranger))
    }

    @Test func stealthIsOffByDefaultAndAnswersOnlyItsAllowlistWhenOn() {
        let off = DiscoveryPolicy(visibility: .stealth)
        #expect(!off.isEnabled && !off.pushesItself && !off.answers(Self.friend) && !off.learnsPushes)
        let on = DiscoveryPolicy(visibility: .stealth, enabled: true, stealthAllowlist: [Self.friend])
        #expect(on.isEnabled && !on.pushesItself)
        #expect(on.answers(Self.friend))
        #expect(!on.answers(Self.stranger))
    }

    @Test func disabledDoesNothing() {
        let policy = DiscoveryPolicy(visibility: .public, enabled: false)
        #expect(!policy.isEnabled && !policy.pushesItself && !policy.answers(Self.friend) && !policy.learnsPushes)
    }
}

@Suite struct PXRateLimiterTests {
    /// Outside `#expect`, which cannot call a mutating method on its operand.
    func take(_ limiter: inout PXRateLimiter, at nanoseconds: UInt64) -> Bool { limiter.allow(atNanoseconds: nanoseconds) }

    @Test func burstThenRate() {
        var limiter = PXRateLimiter(burst: 3, perSecond: 2)
        #expect((0..<3).allSatisfy { _ in limiter.allow(atNanoseconds: 0) })
        #expect(!take(&limiter, at: 0))
        #expect(!take(&limiter, at: 400_000_000))
        #expect(take(&limiter, at: 500_000_000))
        #expect(!take(&limiter, at: 500_000_000))
        // A long pause refills to the burst, not beyond.
        #expect((0..<3).allSatisfy { _ in limiter.allow(atNanoseconds: 100_000_000_000) })
        #expect(!take(&limiter, at: 100_000_000_000))
    }

    @Test func aClockGoingBackwardsGrantsNothing() {
        var limiter = PXRateLimiter(burst: 1, perSecond: 1)
        #expect(take(&limiter, at: 5_000_000_000))
        #expect(!take(&limiter, at: 1_000_000_000))
        #expect(!take(&limiter, at: 5_500_000_000))
        #expect(take(&limiter, at: 6_000_000_000))
    }
}
