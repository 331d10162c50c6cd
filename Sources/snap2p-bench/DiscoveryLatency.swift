import SNaP2P

/// PX-1 in one process over 127.0.0.1: how long a dial by principal takes when the dialer holds
/// sessions with N peers that each know the target (all asked at once, up to the 8 the resolver
/// asks), against a dial of the target's address.
enum DiscoveryLatency {
    struct Result {
        /// Median milliseconds of `resolve` alone.
        let resolve: Double
        /// Median milliseconds of `dial(principal:)` with an empty cache: resolve + handshake.
        let dialByPrincipal: Double
        /// Median milliseconds of a dial of the address.
        let dialByAddress: Double
    }

    static func run(resolvers count: Int, rounds: Int) async throws -> Result {
        let target = Peer()
        let targetListener = try await target.listen(host: "127.0.0.1", port: 0)
        let accepting = Task { for await connection in targetListener { _ = connection } }
        defer { accepting.cancel() }
        var resolvers: [(Peer, Listener)] = []
        var held: [Connection] = []
        for _ in 0..<count {
            let peer = Peer()
            let listener = try await peer.listen(host: "127.0.0.1", port: 0)
            held.append(try await peer.dial("127.0.0.1:\(targetListener.port)"))  // now it knows the target
            resolvers.append((peer, listener))
        }
        let directDialer = Peer()
        try await directDialer.dial("127.0.0.1:\(targetListener.port)").close()  // its attestation is signed
        let clock = ContinuousClock()
        var resolveTimes: [Double] = []
        var principalTimes: [Double] = []
        var addressTimes: [Double] = []
        for _ in 0..<rounds {
            let dialer = Peer()  // a fresh peer: an empty cache
            for (_, listener) in resolvers { held.append(try await dialer.dial("127.0.0.1:\(listener.port)")) }
            var start = clock.now
            let answers = await dialer.resolve(target.principal)
            resolveTimes.append(milliseconds(clock.now - start))
            guard answers.contains(where: { if case .locators = $0.outcome { true } else { false } }) else {
                throw BenchmarkFailure("no resolver knew the target: \(answers)")
            }
            start = clock.now
            let found = try await dialer.dial(principal: target.principal)
            principalTimes.append(milliseconds(clock.now - start))
            await found.close()
            start = clock.now
            let direct = try await directDialer.dial("127.0.0.1:\(targetListener.port)")
            addressTimes.append(milliseconds(clock.now - start))
            await direct.close()
        }
        for connection in held { await connection.close() }
        return Result(
            resolve: Benchmark.percentile(resolveTimes, 50),
            dialByPrincipal: Benchmark.percentile(principalTimes, 50),
            dialByAddress: Benchmark.percentile(addressTimes, 50))
    }

    /// Resident bytes a full default `LocatorCache` takes: 4,096 principals of 8 locators each,
    /// `ip:port` locators (`long`: 253-byte DNS names, the worst case).
    static func fullCacheBytes(long: Bool) -> Int {
        let before = Benchmark.residentBytes()
        var cache = LocatorCache()
        let name = String(repeating: "a", count: 61) + "." + String(repeating: "b", count: 63) + "."
            + String(repeating: "c", count: 63) + "." + String(repeating: "d", count: 60) + ".e"
        for index in 0..<cache.limits.principals {
            let hash = (0..<20).map { UInt8(truncatingIfNeeded: index >> ($0 % 2 * 8)) ^ UInt8($0) }
            let principal = Principal(address: try! StacksAddress(version: .mainnetSingleSig, hash160: hash))
            let locators = (0..<cache.limits.locatorsPerPrincipal).map { slot in
                try! Locator(long ? "\(name):\(1000 + slot)" : "198.51.\(index % 250).\(slot + 1):\(9000 + index / 250)")
            }
            cache.learn(locators, of: principal, now: 0)
        }
        let bytes = Benchmark.residentBytes() - before
        precondition(cache.count == cache.limits.principals)
        return bytes
    }

    private static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
