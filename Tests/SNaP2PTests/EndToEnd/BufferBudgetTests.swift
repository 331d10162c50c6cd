import Testing
import TestSupport

@testable import SNaP2P

/// The peer-wide budget of unread stream bytes: over it, sessions stop reading from their sockets
/// until the application catches up, and every byte still arrives.
@Suite struct BufferBudgetTests {
    @Test func unreadBytesStayNearTheBudgetAndNothingIsLost() async throws {
        let streams = 16, bytesPerStream = 256 << 10  // 4 MiB in flight with fc1's first windows
        // Keepalive far off: the paused listener reads no PING, and on a loaded machine the test
        // can outlast the default 30 s interval plus 10 s timeout.
        let patient = PeerConfiguration.Keepalive(interval: .seconds(600), timeout: .seconds(600))
        var listening = TestPeers.configuration(keepalive: patient)
        listening.limits.bufferedBytes = 512 << 10
        let (server, listener) = try await TestPeers.listener(listening)
        var accepted = listener.makeAsyncIterator()
        let dialed = try await Peer(configuration: TestPeers.configuration(keepalive: patient)).dial("127.0.0.1:\(listener.port)")
        let served = try #require(await accepted.next())
        // Both ends of every stream stay referenced until the end (dropping one closes it).
        var sent: [(SNaP2PStream, [UInt8])] = []
        var writes: [Task<Void, any Error>] = []
        for index in 0..<streams {
            var random = SeededRandom(seed: UInt64(index))
            let payload = random.bytes(count: bytesPerStream)
            let stream = try await dialed.openStream()
            sent.append((stream, payload))
            writes.append(Task {
                try await stream.write(payload)
                try await stream.finish()
            })
        }
        // The application reads nothing for a while: the listener holds about its budget.
        try await Task.sleep(for: .seconds(1))
        let peak = server.bufferBudget.peak
        // One socket read (up to 1 MiB) may land after the budget is reached; without the budget
        // all 4 MiB would be held.
        #expect(peak < (512 << 10) + (1 << 20) + (256 << 10), "\(peak) bytes unread at the peak")

        // Then it reads every stream as it comes (reading frees the budget, which lets the next
        // ones in): every byte arrives, in order.
        var incoming = served.incomingStreams.makeAsyncIterator()
        for (_, payload) in sent {
            let stream = try #require(await incoming.next())
            let bytes = try await stream.inbound.collect(upTo: bytesPerStream + 1)
            #expect(bytes == payload ? true : false, "stream \(stream.id): \(bytes.count) bytes, not the \(payload.count) sent")
        }
        for write in writes { try await write.value }
        await dialed.close()
        await listener.close()
    }

    /// A session whose application keeps reading holds nothing, so it reads on even while another
    /// session keeps the peer over its budget.
    @Test func aSessionThatReadsKeepsFlowingWhileAnotherHoldsTheBudget() async throws {
        // Keepalive far off: a paused session that misses its PONGs must not end (and free the
        // budget) while the test waits.
        let patient = PeerConfiguration.Keepalive(interval: .seconds(600), timeout: .seconds(600))
        var listening = TestPeers.configuration(keepalive: patient)
        listening.limits.bufferedBytes = 256 << 10
        let (_, listener) = try await TestPeers.listener(listening)
        var accepted = listener.makeAsyncIterator()

        // The idle session: 4 x 256 KiB its application never reads, over the 256 KiB budget.
        let idle = try await Peer(configuration: TestPeers.configuration(keepalive: patient)).dial("127.0.0.1:\(listener.port)")
        // Kept: dropping the listener's end would close the idle session and free the budget.
        let idleServed = try #require(await accepted.next())
        var idleStreams: [SNaP2PStream] = []
        for _ in 0..<4 {
            let stream = try await idle.openStream()
            idleStreams.append(stream)
            Task { try await stream.write([UInt8](repeating: 1, count: 256 << 10)) }
        }
        try await Task.sleep(for: .milliseconds(500))

        // The busy session: 4 MiB its application reads as it comes.
        let busy = try await Peer(configuration: TestPeers.configuration(keepalive: patient)).dial("127.0.0.1:\(listener.port)")
        let served = try #require(await accepted.next())
        var random = SeededRandom(seed: 99)
        let payload = random.bytes(count: 4 << 20)
        let stream = try await busy.openStream()
        Task {
            try await stream.write(payload)
            try await stream.finish()
        }
        var incoming = served.incomingStreams.makeAsyncIterator()
        let reader = try #require(await incoming.next())
        let received = try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
            group.addTask { try await reader.inbound.collect(upTo: payload.count + 1) }
            group.addTask {
                try await Task.sleep(for: .seconds(30))
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        // Compared as a Bool: a failure should not print 4 MiB.
        #expect(received.map { $0 == payload } == true, "the reading session stalled behind the idle one")
        withExtendedLifetime((idleStreams, idleServed)) {}
        await idle.close()
        await busy.close()
        await listener.close()
    }
}
