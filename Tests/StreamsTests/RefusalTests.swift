import SNaP2PStreams
import SNaP2PWire
import Testing

@Suite struct RefusalTests {
    @Test func openingAnIDInUseIsRefusedWith9AndTheOriginalStreamSurvives() throws {
        var listener = StreamMultiplexer(role: .listener)
        #expect(listener.receive(.openStream(streamID: 0, label: "a")) == [.streamOpened(0, label: "a")])
        #expect(listener.receive(.openStream(streamID: 0, label: "b")) == [.send(.closeStream(streamID: 0, code: .streamIDInUse))])
        #expect(listener.isOpen(0))
        // Our own stream's id, reopened by the peer, is "in use" too.
        let (own, _) = try listener.openStream()
        #expect(listener.receive(.openStream(streamID: own, label: nil)) == [.send(.closeStream(streamID: own, code: .streamIDInUse))])
    }

    @Test func openingAnIDOfOurParityIsRefusedWith15() {
        var listener = StreamMultiplexer(role: .listener)
        #expect(listener.receive(.openStream(streamID: 5, label: nil)) == [.send(.closeStream(streamID: 5, code: .invalidMessage))])
        var dialer = StreamMultiplexer(role: .dialer)
        #expect(dialer.receive(.openStream(streamID: 4, label: nil)) == [.send(.closeStream(streamID: 4, code: .invalidMessage))])
        #expect(listener.openStreamCount == 0 && dialer.openStreamCount == 0)
    }

    @Test func openingOverTheLimitIsRefusedWith20AndReachesTheOpenerAsAReset() throws {
        var pair = MultiplexerPair(configuration: .init(maximumConcurrentStreams: 2))
        let first = try pair.open(from: .dialer)
        let second = try pair.open(from: .listener)
        pair.deliverAll()
        _ = pair.takeEvents(.dialer)
        #expect(throws: StreamMultiplexerError.tooManyStreams) { try pair.dialer.openStream() }
        // A dialer with a higher limit opens a third: the listener refuses it.
        pair.dialer = StreamMultiplexer(role: .dialer, configuration: .init(maximumConcurrentStreams: 10))
        _ = try pair.dialer.openStream()
        let third = try pair.open(from: .dialer)
        pair.deliverAll()
        #expect(pair.sent[.listener]!.last == .closeStream(streamID: third, code: .streamRefused))
        #expect(pair.takeEvents(.dialer) == [.reset(third, .streamRefused)])
        #expect(!pair.dialer.isOpen(third))
        #expect(pair.listener.isOpen(first) && pair.listener.isOpen(second) && !pair.listener.isOpen(third))
    }

    @Test func theReferencesRefusalCode16IsAResetToo() throws {
        var dialer = StreamMultiplexer(role: .dialer)
        let (id, _) = try dialer.openStream()
        #expect(dialer.receive(.closeStream(streamID: id, code: .resourceExhausted)) == [.reset(id, .resourceExhausted)])
        #expect(!dialer.isOpen(id))
    }

    @Test func dataForAnUnknownStreamIsAnsweredWith10() {
        var listener = StreamMultiplexer(role: .listener)
        #expect(listener.receive(.streamData(streamID: 8, data: [1], fin: false)) == [.send(.closeStream(streamID: 8, code: .streamNotFound))])
        #expect(listener.receive(.streamData(streamID: 8, data: [], fin: true)) == [.send(.closeStream(streamID: 8, code: .streamNotFound))])
        #expect(listener.bufferedByteCount == 0)
    }

    @Test func windowUpdatesForUnknownStreamsAre10OnlyWhenTheIDWasNeverOpened() throws {
        var pair = MultiplexerPair(flowControl: FlowControlConfiguration())
        #expect(pair.listener.receive(.windowUpdate(streamID: 6, credit: 1)) == [.send(.closeStream(streamID: 6, code: .streamNotFound))])
        #expect(pair.listener.receive(.windowUpdate(streamID: 7, credit: 1)) == [.send(.closeStream(streamID: 7, code: .streamNotFound))])
        // A finished stream: a late update raced with its end and is ignored.
        let id = try pair.open(from: .dialer)
        pair.deliverAll()
        try pair.write([1], on: id, from: .dialer, fin: true)
        try pair.write([2], on: id, from: .listener, fin: true)
        pair.deliverAll()
        pair.consume(id, byteCount: 1, at: .dialer)
        pair.consume(id, byteCount: 1, at: .listener)
        #expect(!pair.dialer.isOpen(id) && !pair.listener.isOpen(id))
        #expect(pair.dialer.receive(.windowUpdate(streamID: id, credit: 100)) == [])
        #expect(pair.listener.receive(.windowUpdate(streamID: id, credit: 100)) == [])
    }

    @Test func closeStreamIsNeverAnswered() {
        var mux = StreamMultiplexer(role: .dialer)
        #expect(mux.receive(.closeStream(streamID: 3, code: .streamNotFound)) == [])
        #expect(mux.receive(.closeStream(streamID: 2, code: nil)) == [])
    }

    @Test func dataAfterTheRemoteFinIsAResetWith11() {
        var listener = StreamMultiplexer(role: .listener)
        _ = listener.receive(.openStream(streamID: 0, label: nil))
        #expect(listener.receive(.streamData(streamID: 0, data: [1], fin: true)) == [.data(0, [1]), .remoteFinished(0)])
        #expect(listener.receive(.streamData(streamID: 0, data: [2], fin: false))
                == [.reset(0, .streamClosed), .send(.closeStream(streamID: 0, code: .streamClosed))])
        #expect(!listener.isOpen(0))
        #expect(listener.bufferedByteCount == 0)
        // Anything more for it is dropped quietly: we reset it.
        #expect(listener.receive(.streamData(streamID: 0, data: [3], fin: false)) == [])
    }
}
