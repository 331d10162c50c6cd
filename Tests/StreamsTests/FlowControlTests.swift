import SNaP2PStreams
import SNaP2PWire
import Testing

@Suite struct FlowControlTests {
    static let kib = 1024
    static let mib = 1024 * 1024

    @Test func aLargeWriteIsSplitInto64KiBChunks() throws {
        var pair = MultiplexerPair()
        let id = try pair.open(from: .dialer)
        let data = pattern(count: Self.mib, seed: 1)
        let outcome = try pair.write(data, on: id, from: .dialer)
        #expect(outcome.acceptedByteCount == Self.mib && !outcome.isBlocked)
        #expect(outcome.messages.count == 16)
        for message in outcome.messages {
            guard case .streamData(_, let chunk, let fin) = message else { Issue.record("not data"); continue }
            #expect(chunk.count == 64 * Self.kib && !fin)
        }
        let oneMore = try pair.write(pattern(count: Self.mib + 1, seed: 2), on: id, from: .dialer)
        #expect(oneMore.messages.count == 17)
        pair.deliverAll()
        #expect(pair.received(on: id, at: .listener) == data + pattern(count: Self.mib + 1, seed: 2))
    }

    @Test func withoutFlowControlWritesNeverBlockAndNoWindowUpdateIsSent() throws {
        var pair = MultiplexerPair()
        pair.consumesImmediately = [.dialer, .listener]
        let id = try pair.open(from: .dialer)
        pair.deliverAll()
        let data = pattern(count: 8 * Self.mib, seed: 3)
        let outcome = try pair.write(data, on: id, from: .dialer, fin: true)
        #expect(outcome.acceptedByteCount == data.count && !outcome.isBlocked)
        #expect(pair.dialer.sendCredit(for: id) == nil)
        try pair.write(data, on: id, from: .listener, fin: true)
        pair.deliverAll()
        #expect(pair.sentWindowUpdates() == 0)
        #expect(pair.received(on: id, at: .listener) == data)
        #expect(!pair.dialer.isOpen(id) && !pair.listener.isOpen(id))
        // A WINDOW_UPDATE from a peer that should not send one changes nothing.
        let other = try pair.open(from: .dialer)
        #expect(pair.dialer.receive(.windowUpdate(streamID: other, credit: 5)) == [])
    }

    @Test func withoutFlowControlTheBacklogIsReportedForTransportBackpressure() throws {
        var listener = StreamMultiplexer(role: .listener)
        _ = listener.receive(.openStream(streamID: 0, label: nil))
        _ = listener.receive(.openStream(streamID: 2, label: nil))
        _ = listener.receive(.streamData(streamID: 0, data: [UInt8](repeating: 0, count: 1000), fin: false))
        _ = listener.receive(.streamData(streamID: 2, data: [UInt8](repeating: 0, count: 500), fin: false))
        #expect(listener.bufferedByteCount == 1500)
        #expect(listener.consumed(0, byteCount: 400) == [])
        #expect(listener.bufferedByteCount == 1100)
        _ = listener.reset(2, code: .internalError)
        #expect(listener.bufferedByteCount == 600)
        // Over-reporting is clamped to what the stream held.
        _ = listener.consumed(0, byteCount: 10_000)
        #expect(listener.bufferedByteCount == 0)
    }

    @Test func theSenderBlocksAt256KiBUntilTheReceiverConsumes() throws {
        var pair = MultiplexerPair(flowControl: FlowControlConfiguration())
        let id = try pair.open(from: .dialer)
        let data = pattern(count: Self.mib, seed: 4)
        var first = try pair.write(data, on: id, from: .dialer, fin: true)
        #expect(first.acceptedByteCount == 256 * Self.kib)
        #expect(first.isBlocked)
        #expect(first.messages.count == 4)
        #expect(pair.dialer.sendCredit(for: id) == 0)
        // Blocked: nothing more goes, not even fin.
        let stuck = try pair.write(data[first.acceptedByteCount...], on: id, from: .dialer, fin: true)
        #expect(stuck.acceptedByteCount == 0 && stuck.messages.isEmpty && stuck.isBlocked)

        pair.deliverAll()
        #expect(pair.listener.bufferedByteCount == 256 * Self.kib)
        #expect(pair.sentWindowUpdates() == 0)  // nothing consumed, nothing granted

        // A quarter consumed: not yet worth an update.
        pair.consume(id, byteCount: 64 * Self.kib, at: .listener)
        #expect(pair.sentWindowUpdates() == 0)
        // Half consumed: one update for what was consumed; the reader lags, so no growth.
        pair.consume(id, byteCount: 64 * Self.kib, at: .listener)
        #expect(pair.sent[.listener]!.last == .windowUpdate(streamID: id, credit: UInt64(128 * Self.kib)))
        #expect(pair.listener.receiveWindowSize(for: id) == 256 * Self.kib)
        pair.deliverAll()
        #expect(pair.takeEvents(.dialer) == [.windowOpened(id)])
        #expect(pair.dialer.sendCredit(for: id) == 128 * Self.kib)

        first = try pair.write(data[(256 * Self.kib)...], on: id, from: .dialer, fin: true)
        #expect(first.acceptedByteCount == 128 * Self.kib && first.isBlocked)
    }

    @Test func theWindowGrowsToItsCeilingUnderAFastReader() throws {
        var pair = MultiplexerPair(flowControl: FlowControlConfiguration())
        pair.consumesImmediately = [.listener]
        let id = try pair.open(from: .dialer)
        let total = 48 * Self.mib
        let chunk = pattern(count: Self.mib, seed: 5)
        var sent = 0
        var largestWindow = 0
        while sent < total {
            let outcome = try pair.write(Array(chunk[(sent % Self.mib)...]), on: id, from: .dialer)
            sent += outcome.acceptedByteCount
            pair.deliverAll()
            largestWindow = max(largestWindow, pair.listener.receiveWindowSize(for: id) ?? 0)
            #expect(outcome.acceptedByteCount > 0)
        }
        #expect(largestWindow == FlowControlConfiguration().maximumWindowSize)
        #expect(pair.listener.bufferedByteCount == 0)
        // Growth is gradual: fourfold steps from 256 KiB to 32 MiB take four grown updates.
        #expect(pair.sentWindowUpdates() >= 4)
    }

    @Test func growthStopsAtTheSessionBudgetAndWithoutAutoTuning() throws {
        for (configuration, ceiling) in [
            (FlowControlConfiguration(sessionWindowBudget: 1 * Self.mib), 1 * Self.mib),
            (FlowControlConfiguration(maximumWindowSize: 2 * Self.mib), 2 * Self.mib),
            (FlowControlConfiguration(isAutoTuningEnabled: false), 256 * Self.kib),
        ] {
            var pair = MultiplexerPair(flowControl: configuration)
            pair.consumesImmediately = [.listener]
            let id = try pair.open(from: .dialer)
            let data = pattern(count: Self.mib, seed: 6)
            var largestWindow = 0
            for _ in 0..<40 {
                var offset = 0
                while offset < data.count {
                    offset += try pair.write(data[offset...], on: id, from: .dialer).acceptedByteCount
                    pair.deliverAll()
                    largestWindow = max(largestWindow, pair.listener.receiveWindowSize(for: id) ?? 0)
                }
            }
            #expect(largestWindow == ceiling)
        }
    }

    @Test func aSlowReaderKeepsItsWindow() throws {
        var pair = MultiplexerPair(flowControl: FlowControlConfiguration())
        let id = try pair.open(from: .dialer)
        let data = pattern(count: 4 * Self.mib, seed: 7)
        var offset = 0
        // The reader drains 32 KiB at a time, slower than the writer could go (3.2 of 4 MiB).
        for _ in 0..<100 {
            offset += try pair.write(data[offset...], on: id, from: .dialer).acceptedByteCount
            pair.deliverAll()
            pair.consume(id, byteCount: 32 * Self.kib, at: .listener)
            pair.deliverAll()
            #expect(pair.listener.bufferedByteCount <= 256 * Self.kib)
        }
        #expect(pair.listener.receiveWindowSize(for: id) == 256 * Self.kib)
    }

    @Test func sendingBeyondTheGrantedWindowIsAViolation() {
        var listener = StreamMultiplexer(role: .listener, configuration: .init(flowControl: FlowControlConfiguration()))
        _ = listener.receive(.openStream(streamID: 0, label: nil))
        let chunk = [UInt8](repeating: 1, count: 64 * Self.kib)
        for _ in 0..<4 {
            #expect(listener.receive(.streamData(streamID: 0, data: chunk, fin: false)) == [.data(0, chunk)])
        }
        #expect(listener.receive(.streamData(streamID: 0, data: [1], fin: false))
                == [.reset(0, .messageTooLarge), .send(.closeStream(streamID: 0, code: .messageTooLarge))])
        #expect(!listener.isOpen(0))
        #expect(listener.bufferedByteCount == 0)
    }

    @Test func creditPastIntMaxIsAViolation() throws {
        var dialer = StreamMultiplexer(role: .dialer, configuration: .init(flowControl: FlowControlConfiguration()))
        let (id, _) = try dialer.openStream()
        #expect(dialer.receive(.windowUpdate(streamID: id, credit: .max))
                == [.reset(id, .invalidMessage), .send(.closeStream(streamID: id, code: .invalidMessage))])
    }

    @Test func windowOpenedIsReportedOnlyToABlockedWriter() throws {
        var dialer = StreamMultiplexer(role: .dialer, configuration: .init(flowControl: FlowControlConfiguration()))
        let (id, _) = try dialer.openStream()
        #expect(dialer.receive(.windowUpdate(streamID: id, credit: 10)) == [])
        #expect(dialer.sendCredit(for: id) == 256 * Self.kib + 10)
        #expect(try dialer.write([UInt8](repeating: 0, count: 300 * Self.kib), on: id).isBlocked)
        #expect(dialer.receive(.windowUpdate(streamID: id, credit: 0)) == [])
        #expect(dialer.receive(.windowUpdate(streamID: id, credit: 1)) == [.windowOpened(id)])
        #expect(dialer.receive(.windowUpdate(streamID: id, credit: 1)) == [])
    }

    @Test func noUpdatesAfterThePeerFinished() throws {
        var listener = StreamMultiplexer(role: .listener, configuration: .init(flowControl: FlowControlConfiguration()))
        _ = listener.receive(.openStream(streamID: 0, label: nil))
        let chunk = [UInt8](repeating: 1, count: 200 * Self.kib)
        _ = listener.receive(.streamData(streamID: 0, data: chunk, fin: true))
        #expect(listener.consumed(0, byteCount: chunk.count) == [])
    }
}
