import Testing
import TestSupport

@testable import SNaP2P

/// The peer-wide budget of unread stream bytes: over it, sessions stop reading from their sockets
/// until the application catches up, and every byte still arrives.
@Suite struct BufferBudgetTests {
    @Test func unreadBytesStayNearTheBudgetAndNothingIsLost() async throws {
        let streams = 16, bytesPerStream = 256 << 10  // 4 MiB in flight with fc1's first windows
        var listening = TestPeers.configuration()
        listening.limits.bufferedBytes = 512 << 10
        let (server, listener) = try await TestPeers.listener(listening)
        var accepted = listener.makeAsyncIterator()
        let dialed = try await Peer(configuration: TestPeers.configuration()).dial("127.0.0.1:\(listener.port)")
        let served = try #require(await accepted.next())

        let payloads = (0..<streams).map { index in
            var random = SeededRandom(seed: UInt64(index))
            return random.bytes(count: bytesPerStream)
        }
        let writers = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for payload in payloads {
                    let stream = try await dialed.openStream()
                    group.addTask {
                        try await stream.write(payload)
                        try await stream.finish()
                    }
                }
                try await group.waitForAll()
            }
        }
        // The application reads nothing for a while: the listener holds at most about its budget.
        var incoming: [SNaP2PStream] = []
        var iterator = served.incomingStreams.makeAsyncIterator()
        while incoming.count < streams, let stream = await iterator.next() { incoming.append(stream) }
        try await Task.sleep(for: .seconds(1))
        let peak = server.bufferBudget.peak
        // One socket read (up to 1 MiB) may land after the budget is reached; without the budget
        // the whole 4 MiB would be buffered.
        #expect(peak < (512 << 10) + (1 << 20) + (256 << 10), "peak \(peak) bytes unread")

        // Then it reads everything: every byte arrives, in order.
        for (stream, payload) in zip(incoming, payloads) {
            #expect(try await stream.inbound.collect(upTo: bytesPerStream + 1) == payload)
        }
        try await writers.value
        await dialed.close()
        await listener.close()
    }
}
