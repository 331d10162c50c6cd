import SNaP2PWire

/// `FrameDecoder` and `Varint`: the first code that sees a peer's bytes.
///
/// Input: a limit choice, a chunking seed, when to raise the limit (as the session does after
/// AUTH), when to hand the buffered bytes over (as the handshake does to the session), then the
/// byte stream. A model that parses the whole stream by offsets (no buffer to compact) must agree
/// with the decoder on every frame, every error and the buffered count; an error must stick; and
/// a bad length prefix must be caught before its body is buffered: after the decoder asks for
/// more, it never holds more than a prefix plus the limit.
enum FrameTarget {
    static let limits = [
        0, 1, 2, 127, 128, 300, 16_383, 16_384, FramingLimits.unauthenticatedFrameLength, FramingLimits.maximumFrameLength,
    ]

    static let target = FuzzTarget("frame", maximumLength: 8192) { bytes in
        var input = FuzzInput(bytes)
        var maximum = input.pick(limits)
        var chunkSeed = UInt32(input.byte())
        let raiseAt = Int(input.byte())
        let takeAt = Int(input.byte())
        let stream = input.rest()

        checkVarint(stream)

        var decoder = FrameDecoder(maximumFrameLength: maximum)
        var model = ModelDecoder(stream: stream, maximum: maximum)
        var appended = 0
        var appendCount = 0
        while appended < stream.count {
            // Chunk sizes from a small generator: seed 0 delivers everything at once.
            let size: Int
            if chunkSeed == 0 {
                size = stream.count - appended
            } else {
                chunkSeed = chunkSeed &* 1_103_515_245 &+ 12_345
                size = min(stream.count - appended, Int(chunkSeed >> 16) % 97 + 1)
            }
            decoder.append(stream[appended..<appended + size])
            appended += size
            model.received = appended
            appendCount += 1
            if appendCount == raiseAt {
                maximum = FramingLimits.maximumFrameLength
                decoder.maximumFrameLength = maximum
                model.maximum = maximum
            }
            drain(&decoder, &model)
            if appendCount == takeAt {
                let handedOver = decoder.takeBufferedBytes()
                invariant(handedOver == Array(stream[model.position..<model.received]), "takeBufferedBytes returned other bytes")
                invariant(decoder.bufferedByteCount == 0, "bytes left after takeBufferedBytes")
                model.position = model.received
            }
        }
    }

    /// Pulls frames until the decoder wants more or fails, comparing each step with the model.
    static func drain(_ decoder: inout FrameDecoder, _ model: inout ModelDecoder) {
        while true {
            let expected = model.next()
            let actual = Result { () throws(FramingError) in try decoder.nextFrame() }
            switch (expected, actual) {
            case (.frame(let body, let raw), .success(let frame?)):
                invariant(frame == body, "frame body differs from the model")
                if Varint.encoded(UInt64(body.count)).count + body.count == raw.count {
                    invariant(Framing.frame(body) == raw, "Framing.frame does not rebuild a shortest-prefix frame")
                }
            case (.needMore, .success(nil)):
                invariant(
                    decoder.bufferedByteCount < Varint.maximumLengthPrefixByteCount + decoder.maximumFrameLength,
                    "holding \(decoder.bufferedByteCount) bytes for a frame of at most \(decoder.maximumFrameLength)")
                invariant(decoder.bufferedByteCount == model.received - model.position, "buffered count differs from the model")
                return
            case (.failed(let error), .failure(let thrown)):
                invariant(error == thrown, "decoder threw \(thrown), model expects \(error)")
                let again = Result { () throws(FramingError) in try decoder.nextFrame() }
                invariant(again == .failure(error), "the decoder did not stay failed: \(again)")
                return
            default:
                invariant(false, "decoder gave \(actual), model expects \(expected)")
            }
            invariant(decoder.bufferedByteCount == model.received - model.position, "buffered count differs from the model")
        }
    }

    /// Varint round trips, with values taken from the stream's first bytes.
    static func checkVarint(_ stream: [UInt8]) {
        var raw: UInt64 = 0
        for (index, byte) in stream.prefix(8).enumerated() { raw |= UInt64(byte) << UInt64(8 * index) }
        for value in [raw, raw & 0x0fff_ffff, raw & 0x3fff, raw & 0x7f] {
            let encoded = Varint.encoded(value)
            let decoded = encoded.withUnsafeBytes { bytes in
                Result { () throws(FramingError) in try Varint.decodeLengthPrefix(bytes, maximum: Int.max) }
            }
            if encoded.count <= Varint.maximumLengthPrefixByteCount {
                guard case .success(let prefix?) = decoded else {
                    return invariant(false, "Varint \(value) did not decode: \(decoded)")
                }
                invariant(prefix.length == Int(value) && prefix.prefixLength == encoded.count, "Varint \(value) decoded as \(prefix)")
            } else {
                guard case .failure(.lengthPrefixTooLong) = decoded else {
                    return invariant(false, "a \(encoded.count)-byte prefix was not refused: \(decoded)")
                }
            }
        }
    }
}

/// The frame grammar over the whole stream by offsets: what the decoder must do.
struct ModelDecoder {
    enum Step: Equatable {
        case frame(body: [UInt8], raw: [UInt8])
        case needMore
        case failed(FramingError)
    }

    let stream: [UInt8]
    var maximum: Int
    /// Bytes of `stream` delivered so far.
    var received = 0
    /// Bytes consumed as frames (or handed over).
    var position = 0
    private var failure: FramingError?

    init(stream: [UInt8], maximum: Int) {
        self.stream = stream
        self.maximum = maximum
    }

    mutating func next() -> Step {
        if let failure { return .failed(failure) }
        var length = 0
        for index in 0..<Varint.maximumLengthPrefixByteCount {
            guard position + index < received else { return .needMore }
            let byte = stream[position + index]
            length += Int(byte & 0x7f) << (7 * index)
            guard byte & 0x80 == 0 else { continue }
            guard length <= maximum else { return fail(.frameTooLarge(length: length, maximum: maximum)) }
            let start = position
            let bodyStart = position + index + 1
            guard received - bodyStart >= length else { return .needMore }
            position = bodyStart + length
            return .frame(body: Array(stream[bodyStart..<position]), raw: Array(stream[start..<position]))
        }
        return fail(.lengthPrefixTooLong)
    }

    private mutating func fail(_ error: FramingError) -> Step {
        failure = error
        return .failed(error)
    }
}
