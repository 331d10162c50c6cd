import SNaP2PWire
import Testing

/// ``FrameDecoder/nextFrame(in:offset:)``: frames read where they lie, split frames reassembled.
@Suite struct FrameDecoderInPlaceTests {
    /// Feeds `inputs` one after another and returns every frame body found.
    private func frames(of inputs: [[UInt8]], maximum: Int = 1 << 20) throws(FramingError) -> (bodies: [[UInt8]], copied: Int) {
        var decoder = FrameDecoder(maximumFrameLength: maximum)
        var bodies: [[UInt8]] = []
        var copied = 0
        for input in inputs {
            let result = input.withUnsafeBytes { raw in
                Result { () throws(FramingError) in
                    var offset = 0
                    while let location = try decoder.nextFrame(in: raw, offset: &offset) {
                        switch location {
                        case .input(let range):
                            bodies.append(Array(raw[range]))
                        case .buffered(let range):
                            copied += 1
                            bodies.append(decoder.withBufferedBytes(range) { Array($0) })
                        }
                    }
                }
            }
            try result.get()
        }
        return (bodies, copied)
    }

    private let stream: [UInt8] = Framing.frame(Array(0..<200)) + Framing.frame([]) + Framing.frame([7, 8, 9])

    @Test func wholeFramesAreReadInPlace() throws {
        let (bodies, copied) = try frames(of: [stream])
        #expect(bodies == [Array(0..<200), [], [7, 8, 9]])
        #expect(copied == 0)
    }

    @Test func aStreamSplitAtEveryPointGivesTheSameFrames() throws {
        for cut in 0...stream.count {
            let (bodies, _) = try frames(of: [Array(stream[..<cut]), Array(stream[cut...])])
            #expect(bodies == [Array(0..<200), [], [7, 8, 9]], "cut at \(cut)")
        }
        let (bytewise, _) = try frames(of: stream.map { [$0] })
        #expect(bytewise == [Array(0..<200), [], [7, 8, 9]])
    }

    @Test func anOversizedFrameFailsFromItsPrefixEvenWhenThePrefixIsSplit() throws {
        let prefix = Varint.encoded(1001)
        #expect(throws: FramingError.frameTooLarge(length: 1001, maximum: 1000)) {
            try frames(of: [Array(prefix.prefix(1)), Array(prefix.dropFirst())], maximum: 1000)
        }
    }
}
