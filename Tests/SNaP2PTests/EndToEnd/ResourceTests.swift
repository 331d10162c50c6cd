import NIOConcurrencyHelpers
import Testing
import SNaP2P
import SNaP2PIdentity
import SNaP2PSession
import SNaP2PWire
import SNaP2PNoise

/// Resource bounds. They read whole-process counters while other test suites run in the same
/// process, so they allow for that noise: a leak per handshake, or buffering that grows with the
/// bytes sent, is far larger than any tolerance here.
@Suite(.serialized) struct ResourceTests {
    @Test(.enabled(if: ProcessStats.openFileDescriptors() != nil))
    func twoHundredSequentialHandshakesLeakNoFileDescriptors() async throws {
        let (_, listener) = try await TestPeers.listener()
        let dialer = Peer(configuration: TestPeers.configuration())
        let accepting = Task {
            for await connection in listener { await connection.close() }
        }
        // Warm up: the event loops and the listener's own descriptors exist before counting.
        for _ in 0..<5 { try await dialer.dial("127.0.0.1:\(listener.port)").close() }
        let before = try #require(ProcessStats.openFileDescriptors())
        for _ in 0..<200 {
            let connection = try await dialer.dial("127.0.0.1:\(listener.port)")
            await connection.close()
        }
        // Closes complete asynchronously on the event loops; give them a moment.
        var after = try #require(ProcessStats.openFileDescriptors())
        for _ in 0..<50 where after > before {
            try await Task.sleep(for: .milliseconds(100))
            after = try #require(ProcessStats.openFileDescriptors())
        }
        // Other suites open sockets meanwhile; one leaked descriptor per handshake would be 200.
        #expect(after - before < 16, "descriptors before \(before), after \(after)")
        await listener.close()
        await accepting.value
    }

    @Test(.enabled(if: ProcessStats.residentBytes() != nil), arguments: [true, false])
    func oneGiBToASlowReaderKeepsMemoryBounded(flowControl: Bool) async throws {
        // Another suite's allocation can land inside the window; unbounded buffering would show
        // in every attempt (it grows toward 1 GiB), so one clean attempt out of three suffices.
        var growths: [Int] = []
        for _ in 0..<3 {
            let growth = try await residentGrowthSending1GiBToASlowReader(flowControl: flowControl)
            growths.append(growth)
            if growth < 64 << 20 { break }
        }
        #expect(growths.last! < 64 << 20, "RSS grew by \(growths.map { $0 >> 20 }) MiB")
    }

    /// Sends 1 GiB over one stream to a reader that keeps pausing; returns the peak RSS growth.
    private func residentGrowthSending1GiBToASlowReader(flowControl: Bool) async throws -> Int {
        let configuration = TestPeers.configuration(flowControl: flowControl)
        let pair = try await ConnectedPair.make(dialerConfiguration: configuration, listenerConfiguration: configuration)
        let total = 1 << 30
        let baseline = try #require(ProcessStats.residentBytes())
        let peak = PeakGauge()
        peak.observe(baseline)
        let sampler = Task {
            while !Task.isCancelled {
                if let rss = ProcessStats.residentBytes() { peak.observe(rss) }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        let reader = Task {
            var iterator = pair.accepted.incomingStreams.makeAsyncIterator()
            let stream = try #require(await iterator.next())
            var received = 0
            // Slow: nothing read for a while, then a pause after every chunk, so the writer is
            // always ahead and everything it may buffer is buffered.
            try await Task.sleep(for: .milliseconds(500))
            for try await chunk in stream.inbound {
                received += chunk.count
                try await Task.sleep(for: .milliseconds(1))
            }
            return received
        }
        let stream = try await pair.dialer.openStream()
        let block = [UInt8](repeating: 0x5A, count: 1 << 20)
        for _ in 0..<(total / block.count) { try await stream.write(block) }
        try await stream.finish()
        #expect(try await reader.value == total)
        sampler.cancel()
        await pair.close()
        return peak.value - baseline
    }
}

/// The largest value seen, from any task.
final class PeakGauge: Sendable {
    private let peak = NIOLockedValueBox(0)

    func observe(_ value: Int) { peak.withLockedValue { $0 = max($0, value) } }
    var value: Int { peak.withLockedValue { $0 } }
}
