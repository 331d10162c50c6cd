import SNaP2PStreams
import SNaP2PWire
import Testing
import TestSupport

@Suite struct StreamLifecycleTests {
    @Test func dialerOpensEvenIDsAndListenerOddIDs() throws {
        var pair = MultiplexerPair()
        #expect(try pair.open(from: .dialer, label: "chat") == 0)
        #expect(try pair.open(from: .dialer) == 2)
        #expect(try pair.open(from: .listener) == 1)
        #expect(try pair.open(from: .dialer) == 4)
        #expect(try pair.open(from: .listener, label: "") == 3)
        pair.deliverAll()
        #expect(pair.takeEvents(.listener) == [.streamOpened(0, label: "chat"), .streamOpened(2, label: nil), .streamOpened(4, label: nil)])
        #expect(pair.takeEvents(.dialer) == [.streamOpened(1, label: nil), .streamOpened(3, label: nil)])
        #expect(pair.dialer.openStreamCount == 5)
        #expect(pair.listener.openStreamCount == 5)
        #expect(StreamRole.dialer.opens(6) && !StreamRole.dialer.opens(7))
        #expect(StreamRole.listener.opens(7) && !StreamRole.listener.opens(6))
    }

    @Test func dataAndHalfCloseWorkInBothDirections() throws {
        var pair = MultiplexerPair()
        let id = try pair.open(from: .dialer, label: "echo")
        try pair.write(Array("hello".utf8), on: id, from: .dialer)
        try pair.finish(id, from: .dialer)
        pair.deliverAll()
        #expect(pair.takeEvents(.listener) == [.streamOpened(id, label: "echo"), .data(id, Array("hello".utf8)), .remoteFinished(id)])

        // Half-closed: the listener still writes, the dialer still reads.
        try pair.write(Array("world".utf8), on: id, from: .listener, fin: true)
        pair.deliverAll()
        #expect(pair.takeEvents(.dialer) == [.data(id, Array("world".utf8)), .remoteFinished(id)])

        // Each side keeps the stream until its application has every byte.
        #expect(pair.dialer.isOpen(id) && pair.listener.isOpen(id))
        #expect(pair.listener.bufferedByteCount == 5)
        pair.consume(id, byteCount: 5, at: .listener)
        pair.consume(id, byteCount: 5, at: .dialer)
        #expect(!pair.dialer.isOpen(id) && !pair.listener.isOpen(id))
        #expect(pair.listener.bufferedByteCount == 0)
        #expect(throws: StreamMultiplexerError.unknownStream(id)) { try pair.dialer.write([1], on: id) }
        pair.deliverAll()
        #expect(pair.sent[.dialer]!.allSatisfy { if case .closeStream = $0 { false } else { true } })
    }

    @Test func finishSendsAnEmptyStreamDataWithFinLikeTheReference() throws {
        var mux = StreamMultiplexer(role: .dialer)
        _ = try mux.openStream()
        let (id, _) = try mux.openStream()
        let messages = try mux.finish(id)
        #expect(messages == [.streamData(streamID: 2, data: [], fin: true)])
        #expect(messages[0].encoded().hex == "a46164406166f56373696402617412")
        #expect(throws: StreamMultiplexerError.alreadyFinished(id)) { try mux.write([1], on: id) }
        #expect(throws: StreamMultiplexerError.alreadyFinished(id)) { try mux.finish(id) }
        #expect(throws: StreamMultiplexerError.unknownStream(9)) { try mux.finish(9) }
    }

    @Test func writeWithFinSendsFinOnTheLastChunk() throws {
        var mux = StreamMultiplexer(role: .listener)
        let (id, _) = try mux.openStream()
        let outcome = try mux.write([UInt8](repeating: 1, count: 70_000), on: id, fin: true)
        #expect(outcome.acceptedByteCount == 70_000 && !outcome.isBlocked)
        #expect(outcome.messages.map { if case .streamData(_, let data, let fin) = $0 { "\(data.count)\(fin)" } else { "" } }
                == ["65536false", "4464true"])
    }

    @Test func resetWithACodeReachesTheOtherSide() throws {
        var pair = MultiplexerPair()
        let id = try pair.open(from: .dialer)
        pair.deliverAll()
        _ = pair.takeEvents(.listener)
        // The listener's data is in flight when the dialer resets: it is dropped without a reply.
        try pair.write([1, 2, 3], on: id, from: .listener)
        pair.reset(id, code: .internalError, from: .dialer)
        #expect(pair.sent[.dialer]!.last == .closeStream(streamID: id, code: .internalError))
        #expect(!pair.dialer.isOpen(id))
        pair.deliverAll()
        #expect(pair.takeEvents(.listener) == [.reset(id, .internalError)])
        #expect(pair.takeEvents(.dialer) == [])
        #expect(!pair.listener.isOpen(id))
        #expect(pair.sent[.dialer]!.count == 2)  // OPEN_STREAM and CLOSE_STREAM, nothing else
        #expect(pair.sent[.listener]!.count == 1)  // the data, and no CLOSE_STREAM back
        // Resetting again sends nothing.
        #expect(pair.dialer.reset(id, code: .internalError) == [])
    }

    @Test func aCloseWithoutCodeIsAResetWithoutCode() throws {
        var mux = StreamMultiplexer(role: .listener)
        #expect(mux.receive(.openStream(streamID: 0, label: nil)) == [.streamOpened(0, label: nil)])
        #expect(mux.receive(.streamData(streamID: 0, data: [9, 9], fin: false)) == [.data(0, [9, 9])])
        #expect(mux.bufferedByteCount == 2)
        #expect(mux.receive(.closeStream(streamID: 0, code: nil)) == [.reset(0, nil)])
        #expect(mux.bufferedByteCount == 0)
        #expect(mux.openStreamCount == 0)
    }

    @Test func messagesThatAreNotAboutStreamsAreIgnored() {
        var mux = StreamMultiplexer(role: .dialer)
        #expect(mux.receive(.ping(seq: 0, timestamp: 1)) == [])
        #expect(mux.receive(.knockResponse(accepted: true)) == [])
    }

    @Test func nextChunkDrivesTheZeroCopyPathWithTheSameBytes() throws {
        var viaWrite = StreamMultiplexer(role: .dialer, configuration: .init(flowControl: FlowControlConfiguration()))
        var viaChunks = viaWrite
        let (id, _) = try viaWrite.openStream()
        _ = try viaChunks.openStream()
        let data = pattern(count: 300_000, seed: 7)
        let expected = try viaWrite.write(data, on: id, fin: true).messages.flatMap { $0.encoded() }

        var encoded: [UInt8] = []
        var offset = 0
        while let chunk = try viaChunks.nextChunk(on: id, pendingByteCount: data.count - offset, fin: true) {
            ControlMessage.encodeStreamData(streamID: id, data: data[offset..<offset + chunk.byteCount], fin: chunk.fin, into: &encoded)
            offset += chunk.byteCount
            if chunk.fin { break }
        }
        #expect(encoded == expected)
        #expect(offset == FlowControl.initialWindowSize)
        #expect(viaChunks.sendCredit(for: id) == 0)
    }
}
