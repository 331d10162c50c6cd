import SNaP2PWire

/// Cuts PX-1 messages out of a stream's chunks, refusing a frame longer than
/// ``PXLimits/maximumMessageLength`` from its length prefix alone.
public struct PXMessageReader: Sendable {
    private var decoder = FrameDecoder(maximumFrameLength: PXLimits.maximumMessageLength)

    /// A reader with nothing buffered.
    public init() {}

    /// Adds bytes read from the stream.
    public mutating func append(_ bytes: [UInt8]) {
        decoder.append(bytes)
    }

    /// Bytes received after the last whole message.
    public var bufferedByteCount: Int { decoder.bufferedByteCount }

    /// The next whole message, or `nil` until more bytes arrive.
    public mutating func next() throws(PXProtocolError) -> PXMessage? {
        let body: [UInt8]?
        do {
            body = try decoder.nextFrame()
        } catch .frameTooLarge(let length, _) {
            throw .messageTooLarge(length: length)
        } catch {
            throw .malformed("a length prefix longer than 4 bytes")
        }
        return try body.map { body throws(PXProtocolError) in try PXMessage(decoding: body) }
    }
}
