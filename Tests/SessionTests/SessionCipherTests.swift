import SNaP2PNoise
import SNaP2PWire
import Testing

@testable import SNaP2PNoise
@testable import SNaP2PSession

/// The established channel: one control message per frame, fatal decrypt failures, reused buffers.
@Suite struct SessionCipherTests {
    /// A pair of channels facing each other, keyed directly.
    static func pair() throws -> (SessionCipher, SessionCipher) {
        let forward = [UInt8](repeating: 0x11, count: 32)
        let backward = [UInt8](repeating: 0x22, count: 32)
        let a = SessionCipher(ciphers: NoiseTransportCiphers(sender: try NoiseCipherState(key: forward), receiver: try NoiseCipherState(key: backward)))
        let b = SessionCipher(ciphers: NoiseTransportCiphers(sender: try NoiseCipherState(key: backward), receiver: try NoiseCipherState(key: forward)))
        return (a, b)
    }

    @Test func framesCarryOneMessageEach() throws {
        var (a, b) = try Self.pair()
        var wire: [UInt8] = []
        try a.sealFrame(.openStream(streamID: 0, label: "chat"), appendingTo: &wire)
        try a.sealStreamDataFrame(streamID: 0, data: Array("hello".utf8)[...], fin: false, appendingTo: &wire)
        try a.sealStreamDataFrame(streamID: 0, data: [], fin: true, appendingTo: &wire)
        var decoder = FrameDecoder(maximumFrameLength: FramingLimits.maximumFrameLength)
        decoder.append(wire)
        var received: [ControlMessage] = []
        while let frame = try decoder.nextFrame() { received.append(try b.open(frame)) }
        #expect(received == [
            .openStream(streamID: 0, label: "chat"),
            .streamData(streamID: 0, data: Array("hello".utf8), fin: false),
            .streamData(streamID: 0, data: [], fin: true),
        ])
    }

    @Test func largeStreamDataRoundTrips() throws {
        var (a, b) = try Self.pair()
        let data = (0..<65_536).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var wire: [UInt8] = []
        for _ in 0..<3 {
            wire.removeAll(keepingCapacity: true)
            try a.sealStreamDataFrame(streamID: 2, data: data[...], fin: false, appendingTo: &wire)
            var decoder = FrameDecoder(maximumFrameLength: FramingLimits.maximumFrameLength)
            decoder.append(wire)
            #expect(try b.open(try #require(try decoder.nextFrame())) == .streamData(streamID: 2, data: data, fin: false))
        }
    }

    @Test func decryptFailureBreaksTheChannelForGood() throws {
        var (a, b) = try Self.pair()
        var first: [UInt8] = []
        try a.seal(.ping(seq: 0, timestamp: 1), appendingTo: &first)
        var second: [UInt8] = []
        try a.seal(.ping(seq: 1, timestamp: 2), appendingTo: &second)
        first[3] ^= 0x01
        #expect(throws: SessionCipherError.decryptFailed) { try b.open(first) }
        // Even the genuine next frame is refused: the channel never limps on.
        #expect(throws: SessionCipherError.channelBroken) { try b.open(second) }
    }

    @Test func unknownMessageTypeIsNotFatal() throws {
        var (a, b) = try Self.pair()
        var unknown: [UInt8] = []
        try a.ciphers.sender.seal(CBOR.map(["t": .unsigned(0x99)]).encoded(), appendingTo: &unknown)
        var next: [UInt8] = []
        try a.seal(.pong(seq: 4, timestamp: 5), appendingTo: &next)
        #expect(throws: SessionCipherError.undecodableMessage(.unknownType(0x99))) { try b.open(unknown) }
        #expect(try b.open(next) == .pong(seq: 4, timestamp: 5))
    }

    @Test func nonceExhaustionLeavesTheOutputUntouched() throws {
        var (a, _) = try Self.pair()
        a.ciphers.sender.nonce = UInt64.max - 1
        var wire: [UInt8] = [0xee]
        try a.sealFrame(.ping(seq: 0, timestamp: 0), appendingTo: &wire)
        let afterLast = wire
        #expect(throws: SessionCipherError.nonceExhausted) { try a.sealFrame(.ping(seq: 1, timestamp: 0), appendingTo: &wire) }
        #expect(wire == afterLast)
        #expect(throws: SessionCipherError.channelBroken) { try a.seal(.ping(seq: 2, timestamp: 0), appendingTo: &wire) }
    }
}
