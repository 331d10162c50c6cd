import SNaP2P

/// The same measurements through the public API: two peers in this process over loopback.
enum SNaP2PBenchmarks {
    /// Peers without rate limits (a load run opens many connections).
    static func configuration(maximumStreams: Int = 100) -> PeerConfiguration {
        PeerConfiguration(network: .testnet, rateLimit: .off, maximumStreams: maximumStreams)
    }

    /// A listener and a connected pair of sessions.
    static func connectedPair(maximumStreams: Int = 100) async throws -> (Listener, dialer: Connection, accepted: Connection) {
        let listener = try await Peer(configuration: configuration(maximumStreams: maximumStreams)).listen(host: "127.0.0.1", port: 0)
        async let accepted = firstConnection(of: listener)
        let dialer = try await Peer(configuration: configuration(maximumStreams: maximumStreams))
            .dial("127.0.0.1:\(listener.port)")
        return (listener, dialer, try await accepted)
    }

    private static func firstConnection(of listener: Listener) async throws -> Connection {
        var iterator = listener.makeAsyncIterator()
        guard let connection = await iterator.next() else { throw BenchmarkFailure("listener ended") }
        return connection
    }

    /// Sends `totalBytes` one way on one stream in writes of `writeSize`; returns the seconds
    /// from the first write until the reader has every byte.
    static func throughput(totalBytes: Int, writeSize: Int) async throws -> Double {
        let (listener, dialer, accepted) = try await connectedPair()
        let reader = Task {
            var iterator = accepted.incomingStreams.makeAsyncIterator()
            guard let stream = await iterator.next() else { throw BenchmarkFailure("no stream") }
            var received = 0
            for try await chunk in stream.inbound { received += chunk.count }
            return (received, ContinuousClock.now)
        }
        let stream = try await dialer.openStream(label: "bench")
        let block = [UInt8](repeating: 0x42, count: writeSize)
        let start = ContinuousClock.now
        var remaining = totalBytes
        while remaining > 0 {
            try await stream.write(remaining >= block.count ? block : Array(block[..<remaining]))
            remaining -= block.count
        }
        try await stream.finish()
        let (received, end) = try await reader.value
        guard received == totalBytes else { throw BenchmarkFailure("received \(received) of \(totalBytes) bytes") }
        await dialer.close()
        await listener.close()
        return Benchmark.seconds(end - start)
    }

    /// `count` handshakes, `concurrency` at a time; returns the seconds taken.
    static func handshakes(count: Int, concurrency: Int) async throws -> Double {
        let listener = try await Peer(configuration: configuration()).listen(host: "127.0.0.1", port: 0)
        let accepting = Task {
            for await connection in listener { await connection.close() }
        }
        let dialer = Peer(configuration: configuration())
        let address = "127.0.0.1:\(listener.port)"
        // The first dial issues the attestation; keep it out of the timing.
        try await dialer.dial(address).close()
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    for _ in stride(from: worker, to: count, by: concurrency) {
                        try await dialer.dial(address).close()
                    }
                }
            }
            try await group.waitForAll()
        }
        let seconds = Benchmark.seconds(.now - start)
        await listener.close()
        await accepting.value
        return seconds
    }

    /// Round trips of one byte on a stream echoed by the other peer; each in microseconds.
    static func streamRoundTrips(rounds: Int) async throws -> [Double] {
        let (listener, dialer, accepted) = try await connectedPair()
        let echo = Task {
            var iterator = accepted.incomingStreams.makeAsyncIterator()
            guard let stream = await iterator.next() else { return }
            for try await chunk in stream.inbound { try await stream.write(chunk) }
        }
        let stream = try await dialer.openStream(label: "ping")
        var inbound = stream.inbound.makeAsyncIterator()
        var samples: [Double] = []
        samples.reserveCapacity(rounds)
        for _ in 0..<rounds {
            let start = ContinuousClock.now
            try await stream.write([1])
            guard try await inbound.next() != nil else { throw BenchmarkFailure("echo ended") }
            samples.append(Benchmark.seconds(.now - start) * 1e6)
        }
        stream.close()
        echo.cancel()
        await dialer.close()
        await listener.close()
        return samples
    }

    /// Resident bytes per idle session, both ends in this process (so per dialer + listener pair).
    static func residentBytesPerIdleSession(count: Int) async throws -> Double {
        let listener = try await Peer(configuration: configuration()).listen(host: "127.0.0.1", port: 0)
        let dialer = Peer(configuration: configuration())
        let address = "127.0.0.1:\(listener.port)"
        try await dialer.dial(address).close()
        var accepted = listener.makeAsyncIterator()
        _ = await accepted.next()
        let before = Benchmark.residentBytes()
        var sessions: [Connection] = []
        for _ in 0..<count {
            sessions.append(try await dialer.dial(address))
            if let connection = await accepted.next() { sessions.append(connection) }
        }
        try await Task.sleep(for: .milliseconds(200))
        let after = Benchmark.residentBytes()
        for session in sessions { await session.close() }
        await listener.close()
        return Double(after - before) / Double(count)
    }

    /// Resident bytes per idle stream (opened by the dialer, accepted by the listener).
    static func residentBytesPerIdleStream(count: Int) async throws -> Double {
        let (listener, dialer, accepted) = try await connectedPair(maximumStreams: count + 10)
        let holding = Task {
            var streams: [SNaP2PStream] = []
            for await stream in accepted.incomingStreams { streams.append(stream) }
            return streams.count
        }
        _ = try await dialer.openStream()
        try await Task.sleep(for: .milliseconds(100))
        let before = Benchmark.residentBytes()
        var streams: [SNaP2PStream] = []
        for _ in 0..<count {
            let stream = try await dialer.openStream(label: "idle")
            try await stream.write([0])
            streams.append(stream)
        }
        try await Task.sleep(for: .milliseconds(300))
        let after = Benchmark.residentBytes()
        await dialer.close()
        _ = await holding.value
        await listener.close()
        return Double(after - before) / Double(count)
    }
}
