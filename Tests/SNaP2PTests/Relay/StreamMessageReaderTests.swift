import SNaP2PRelay
import Testing

@testable import SNaP2P

/// The timed reader of `relay-1` and `upgrade-1` streams, over a real session on 127.0.0.1.
@Suite struct StreamMessageReaderTests {
    @Test func aMessageSplitAcrossWritesComesWholeAndWhatFollowsIsHandedOver() async throws {
        try await withStreamPair { sending, receiving in
            let message = RelayMessage.reserve.encoded()
            try await sending.write(Array(message[..<3]))
            // One write is one frame: the rest of the message and the first relayed bytes arrive together.
            try await sending.write(Array(message[3...]) + [1, 2, 3])
            var reader = StreamMessageReader<RelayMessage>(receiving)
            #expect(try await reader.next(within: .seconds(300)) == .reserve)
            #expect(reader.takeRemainder() == [1, 2, 3])
        }
    }

    @Test func silenceEndsInTimedOutAndTheRemoteSeesTimeout() async throws {
        try await withStreamPair { sending, receiving in
            var reader = StreamMessageReader<RelayMessage>(receiving)
            await #expect(throws: StreamMessageReader<RelayMessage>.TimedOut.self) {
                _ = try await reader.next(within: .milliseconds(100))
            }
            await #expect(throws: SNaP2PError.streamClosed(code: .timeout)) {
                _ = try await sending.inbound.collect(upTo: 1024)
            }
        }
    }

    @Test func aStreamThatEndsFirstIsEndedEarlyAndARelayReadIsRefused() async throws {
        try await withStreamPair { sending, receiving in
            try await sending.finish()
            await #expect(throws: SNaP2PError.relayRefused(RelayRefusal(.malformed, message: RelayProtocolError.endedEarly.description))) {
                _ = try await RelayStreamMessages.receive(on: receiving, within: .seconds(300))
            }
        }
    }

    /// A session between two peers and one stream on it: `body` gets the dialer's end and the
    /// listener's end.
    private func withStreamPair(_ body: (SNaP2PStream, SNaP2PStream) async throws -> Void) async throws {
        let (_, listener) = try await TestPeers.listener()
        async let accepted = TestPeers.accept(listener)
        let connection = try await Peer(configuration: TestPeers.configuration()).dial("127.0.0.1:\(listener.port)")
        let remote = try await accepted
        let sending = try await connection.openStream(label: "test")
        var incoming = remote.incomingStreams.makeAsyncIterator()
        let receiving = try #require(await incoming.next())
        try await body(sending, receiving)
        await connection.close()
        await listener.close()
    }
}
