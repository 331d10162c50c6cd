import SNaP2PWire
import Testing

@Suite struct FramingTests {
    private func prefix(_ bytes: [UInt8], maximum: Int = .max) throws(FramingError) -> (length: Int, prefixLength: Int)? {
        try lengthPrefix(bytes, maximum: maximum)
    }

    @Test func lengthPrefixesNeedMoreBytesUntilTheyEnd() throws {
        #expect(try prefix([]) == nil)
        #expect(try prefix([0x80]) == nil)
        #expect(try prefix([0x80, 0x80, 0x80]) == nil)
        #expect(try prefix([0xac, 0x02, 0xff])! == (300, 2))
        // Non-shortest forms are accepted, as the reference accepts them.
        #expect(try prefix([0x80, 0x00])! == (0, 2))
        #expect(try prefix([0xff, 0xff, 0xff, 0x7f])! == ((1 << 28) - 1, 4))
    }

    @Test func badPrefixesFailAsSoonAsTheyAreReadable() {
        // A fifth byte is refused before it arrives: four bytes that all continue are enough.
        #expect(throws: FramingError.lengthPrefixTooLong) { try prefix([0x80, 0x80, 0x80, 0x80]) }
        // The reference reads these as 0 and as a negative length; both are simply too long here.
        #expect(throws: FramingError.lengthPrefixTooLong) { try prefix([0x80, 0x80, 0x80, 0x80, 0x40]) }
        #expect(throws: FramingError.lengthPrefixTooLong) { try prefix([0x80, 0x80, 0x80, 0x80, 0x08]) }
        #expect(throws: FramingError.frameTooLarge(length: 65537, maximum: 65536)) {
            try prefix(Varint.encoded(65537), maximum: FramingLimits.unauthenticatedFrameLength)
        }
    }

    @Test func varintEncodesAnyValue() {
        #expect(Varint.encoded(0) == [0])
        #expect(Varint.encoded(UInt64.max).count == 10)
        #expect(Varint.encoded(1 << 28) == [0x80, 0x80, 0x80, 0x80, 0x01])
    }

    @Test func decoderYieldsFramesFedOneByteAtATime() throws {
        let payloads: [[UInt8]] = [[], [1], Array(repeating: 7, count: 127), Array(repeating: 8, count: 128), Array(0...255)]
        let stream = payloads.flatMap(Framing.frame)
        var decoder = FrameDecoder()
        var received: [[UInt8]] = []
        for byte in stream {
            decoder.append(CollectionOfOne(byte))
            while let frame = try decoder.nextFrame() { received.append(frame) }
        }
        #expect(received == payloads)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test func decoderYieldsSeveralFramesFromOneAppend() throws {
        let payloads: [[UInt8]] = (0..<50).map { Array(repeating: UInt8($0), count: $0 * 37) }
        var decoder = FrameDecoder()
        decoder.append(payloads.flatMap(Framing.frame) + [0x05, 1, 2])
        var received: [[UInt8]] = []
        while let frame = try decoder.nextFrame() { received.append(frame) }
        #expect(received == payloads)
        #expect(decoder.bufferedByteCount == 3)
        #expect(decoder.takeBufferedBytes() == [0x05, 1, 2])
        #expect(decoder.bufferedByteCount == 0)
        #expect(try decoder.nextFrame() == nil)
    }

    @Test func decoderRefusesAnOversizedFrameFromItsPrefixAlone() throws {
        var decoder = FrameDecoder()
        #expect(decoder.maximumFrameLength == FramingLimits.unauthenticatedFrameLength)
        decoder.append(Varint.encoded(UInt64(FramingLimits.maximumFrameLength)))
        #expect(throws: FramingError.frameTooLarge(length: FramingLimits.maximumFrameLength, maximum: 65536)) {
            try decoder.nextFrame()
        }
        // It stays failed: the connection is to be closed.
        decoder.append(Framing.frame([1]))
        #expect(throws: FramingError.self) { try decoder.nextFrame() }
    }

    @Test func raisingTheLimitAdmitsLargerFrames() throws {
        var decoder = FrameDecoder()
        let big = [UInt8](repeating: 0xab, count: FramingLimits.unauthenticatedFrameLength + 1)
        decoder.append(Framing.frame([1, 2, 3]))
        #expect(try decoder.nextFrame() == [1, 2, 3])
        decoder.maximumFrameLength = FramingLimits.maximumFrameLength
        let framed = Framing.frame(big)
        var index = 0
        var received: [UInt8]?
        while index < framed.count {
            let end = min(index + 4096, framed.count)
            decoder.append(framed[index..<end])
            index = end
            if let frame = try decoder.nextFrame() { received = frame }
        }
        #expect(received == big)
    }

    @Test func maximumSizedFrameIsAccepted() throws {
        var decoder = FrameDecoder(maximumFrameLength: FramingLimits.maximumFrameLength)
        let payload = [UInt8](repeating: 1, count: FramingLimits.maximumFrameLength)
        decoder.append(Framing.frame(payload))
        #expect(try decoder.nextFrame()?.count == FramingLimits.maximumFrameLength)
    }
}
