import TestSupport
import SNaP2PStreams
import SNaP2PWire
import Testing

/// Fifty streams opened by both sides, written, delivered and consumed in a seeded random order:
/// every byte arrives once, in order, on the right stream, and every stream ends cleanly.
@Suite struct InterleavingTests {
    struct Outgoing {
        let writer: MultiplexerPair.Side
        let id: StreamID
        let data: [UInt8]
        var offset = 0
        var isFinished = false
    }

    @Test(arguments: [false, true])
    func fiftyStreamsInterleaveRandomly(flowControl: Bool) throws {
        var random = SeededRandom(seed: flowControl ? 0xfc1 : 0xfc0)
        var pair = MultiplexerPair(flowControl: flowControl ? FlowControlConfiguration() : nil)
        var outgoing: [Outgoing] = []
        var unconsumed: [MultiplexerPair.Side: [StreamID: Int]] = [.dialer: [:], .listener: [:]]
        var eventCursor: [MultiplexerPair.Side: Int] = [.dialer: 0, .listener: 0]
        var streamsOpened = 0

        func randomLength() -> Int {
            [0, 1, 100, 70_000, 300_000, 600_000].randomElement(using: &random)! / Int.random(in: 1...3, using: &random)
        }

        var steps = 0
        while true {
            steps += 1
            try #require(steps < 200_000, "no progress")
            // Account for data that arrived since the last step.
            for side in MultiplexerPair.Side.allCases {
                let events = pair.events[side]!
                for event in events[eventCursor[side]!...] {
                    if case .data(let id, let data) = event { unconsumed[side]![id, default: 0] += data.count }
                    if case .reset = event { Issue.record("unexpected \(event)") }
                }
                eventCursor[side] = events.count
            }
            let pendingWrites = outgoing.indices.filter { !outgoing[$0].isFinished && pair[outgoing[$0].writer].isOpen(outgoing[$0].id) }
            let backlogs = MultiplexerPair.Side.allCases.flatMap { side in
                unconsumed[side]!.filter { $0.value > 0 }.map { (side, $0.key) }
            }
            let inFlight = MultiplexerPair.Side.allCases.filter { !pair.inFlight[$0]!.isEmpty }
            if streamsOpened == 50, pendingWrites.isEmpty, backlogs.isEmpty, inFlight.isEmpty,
                outgoing.allSatisfy(\.isFinished)
            {
                break
            }

            switch Int.random(in: 0..<4, using: &random) {
            case 0 where streamsOpened < 50:
                let side = MultiplexerPair.Side.allCases.randomElement(using: &random)!
                let id = try pair.open(from: side, label: "s\(streamsOpened)")
                streamsOpened += 1
                outgoing.append(Outgoing(writer: side, id: id, data: pattern(count: randomLength(), seed: id)))
                outgoing.append(Outgoing(writer: MultiplexerPair.other(side), id: id, data: pattern(count: randomLength(), seed: ~id)))
            case 1 where !pendingWrites.isEmpty:
                let index = pendingWrites.randomElement(using: &random)!
                let stream = outgoing[index]
                let end = min(stream.data.count, stream.offset + Int.random(in: 1...150_000, using: &random))
                let fin = end == stream.data.count
                let outcome = try pair.write(stream.data[stream.offset..<end], on: stream.id, from: stream.writer, fin: fin)
                outgoing[index].offset += outcome.acceptedByteCount
                outgoing[index].isFinished = fin && !outcome.isBlocked
            case 2 where !backlogs.isEmpty:
                let (side, id) = backlogs.randomElement(using: &random)!
                let count = Int.random(in: 1...unconsumed[side]![id]!, using: &random)
                unconsumed[side]![id]! -= count
                pair.consume(id, byteCount: count, at: side)
            default:
                if let side = inFlight.randomElement(using: &random) {
                    pair.deliver(to: side, limit: Int.random(in: 1...8, using: &random))
                }
            }
        }

        for stream in outgoing {
            let reader = MultiplexerPair.other(stream.writer)
            let received = pair.received(on: stream.id, at: reader)
            #expect(received.count == stream.data.count, "stream \(stream.id)")
            #expect(checksum(received) == checksum(stream.data), "stream \(stream.id)")
            #expect(pair.events[reader]!.contains(.remoteFinished(stream.id)))
        }
        #expect(pair.dialer.openStreamCount == 0 && pair.listener.openStreamCount == 0)
        #expect(pair.dialer.bufferedByteCount == 0 && pair.listener.bufferedByteCount == 0)
        #expect(Set(outgoing.map(\.id)).count == 50)
        let closes = pair.sent.values.joined().filter { if case .closeStream = $0 { true } else { false } }
        #expect(closes.isEmpty)
        if flowControl {
            #expect(pair.sentWindowUpdates() > 0)
        } else {
            #expect(pair.sentWindowUpdates() == 0)
        }
    }
}
