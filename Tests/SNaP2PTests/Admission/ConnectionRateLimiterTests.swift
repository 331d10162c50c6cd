import Testing
@testable import SNaP2PSession

@Suite struct ConnectionRateLimiterTests {
    let start = ContinuousClock.now

    /// Runs attempts in order and returns which were admitted.
    private func attempts(
        _ limiter: inout ConnectionRateLimiter,
        _ schedule: [(address: String, second: Int)]
    ) -> [Bool] {
        schedule.map { limiter.admit($0.address, at: start + .seconds($0.second)) }
    }

    @Test func stealthDefaultRefusesTheSixthInAMinute() {
        var limiter = ConnectionRateLimiter(limit: .stealth)
        let admitted = attempts(&limiter, (0..<7).map { ("192.0.2.1", $0 * 9) })
        #expect(admitted == [true, true, true, true, true, false, false])
    }

    @Test func windowSlides() {
        var limiter = ConnectionRateLimiter(limit: .stealth)
        let schedule = [0, 10, 20, 30, 40, 59, 61, 62, 71].map { ("192.0.2.1", $0) }
        // The admission at t = 0 leaves the window after 60 s, the one at t = 10 after 70 s.
        #expect(attempts(&limiter, schedule) == [true, true, true, true, true, false, true, false, true])
    }

    @Test func addressesAreCountedSeparately() {
        var limiter = ConnectionRateLimiter(limit: ConnectionRateLimit(maximumConnections: 1, per: .seconds(60)))
        let schedule = ["192.0.2.1", "192.0.2.2", "2001:db8::1", "192.0.2.1"].map { ($0, 0) }
        #expect(attempts(&limiter, schedule) == [true, true, true, false])
    }

    @Test func privateDefaultAllows30() {
        var limiter = ConnectionRateLimiter(limit: .private)
        let admitted = attempts(&limiter, Array(repeating: ("198.51.100.7", 0), count: 31))
        #expect(admitted == Array(repeating: true, count: 30) + [false])
    }

    @Test func idleAddressesAreForgotten() {
        var limiter = ConnectionRateLimiter(limit: .stealth)
        _ = attempts(&limiter, (0..<100).map { ("10.0.0.\($0)", 0) })
        #expect(limiter.trackedAddresses == 100)
        _ = attempts(&limiter, [("10.1.0.1", 61)])
        #expect(limiter.trackedAddresses == 1)
    }
}
