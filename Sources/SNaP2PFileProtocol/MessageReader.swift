import SNaP2PWire

/// Cuts the `file-1` messages (varint-framed CBOR) out of a stream's chunks, refusing a frame
/// longer than ``FileTransferProtocol/maximumMessageLength`` from its length prefix alone.
struct MessageReader: Sendable {
    private var decoder = FrameDecoder(maximumFrameLength: FileTransferProtocol.maximumMessageLength)

    /// Bytes received after the last whole message.
    var bufferedByteCount: Int { decoder.bufferedByteCount }

    mutating func append(_ bytes: [UInt8]) {
        decoder.append(bytes)
    }

    /// The next whole message body, or `nil` until more bytes arrive.
    mutating func next() throws(FileTransferProtocolError) -> [UInt8]? {
        do {
            return try decoder.nextFrame()
        } catch .frameTooLarge(let length, _) {
            throw .messageTooLarge(length: length)
        } catch {
            throw .malformed("a message's length prefix is longer than 4 bytes")
        }
    }
}
