import SNaP2P

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Many idle sessions on one `snap2p listen` process, as a busy node holds them: the listener's
/// memory per session, how long the sessions took to open, and how quickly it still serves a new
/// session with all of them open. This process holds the dialing ends, so it raises its own
/// open-file limit first (the listener raises its own).
enum IdleSessions {
    struct Result {
        let sessions: Int
        let bytesPerSession: Double
        let openingSeconds: Double
        let newSessionMilliseconds: Double
    }

    static func run(count: Int, concurrency: Int = 32) async throws -> Result {
        raiseOpenFileLimit()
        let listener = try await CrossProcessBenchmarks.Server.snap2pListener()
        defer { listener.stop() }
        let peer = Peer()
        let address = "127.0.0.1:\(listener.port)"
        // Warm up the listener (attestation, allocator) before measuring its baseline.
        for _ in 0..<20 { try await peer.dial(address).close() }
        let before = try await listener.settledResidentBytes()

        let clock = ContinuousClock()
        let start = clock.now
        var held: [Connection] = []
        held.reserveCapacity(count)
        try await withThrowingTaskGroup(of: Connection.self) { group in
            var started = 0
            while started < min(concurrency, count) {
                group.addTask { try await peer.dial(address) }
                started += 1
            }
            while let connection = try await group.next() {
                held.append(connection)
                if started < count {
                    group.addTask { try await peer.dial(address) }
                    started += 1
                }
            }
        }
        let opening = clock.now - start
        try await Task.sleep(for: .seconds(2))
        let after = Benchmark.residentBytes(process: listener.process.pid)

        // A new session with all of them open: median of 5 handshakes.
        var times: [Double] = []
        for _ in 0..<5 {
            let begun = clock.now
            let connection = try await peer.dial(address)
            times.append(Self.milliseconds(clock.now - begun))
            await connection.close()
        }
        for connection in held { await connection.close() }
        return Result(
            sessions: held.count,
            bytesPerSession: Double(after - before) / Double(held.count),
            openingSeconds: Self.milliseconds(opening) / 1000,
            newSessionMilliseconds: times.sorted()[times.count / 2]
        )
    }

    private static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }

    /// Raises this process's soft open-file limit to its hard limit.
    private static func raiseOpenFileLimit() {
        var limit = rlimit()
        #if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        guard getrlimit(resource, &limit) == 0 else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(resource, &limit)
    }
}
