import SNaP2PWire

/// A message of the relay's stream protocols (`relay-1`, `upgrade-1`): one frame, decoded from its body.
public protocol FramedMessage: Sendable {
    /// Reads a message frame's body, checking every field.
    init(decoding body: [UInt8]) throws(RelayProtocolError)
}

extension RelayMessage: FramedMessage {}

/// Cuts `relay-1` messages out of a stream's chunks (see ``FramedMessageReader``).
public typealias RelayMessageReader = FramedMessageReader<RelayMessage>

/// Cuts messages out of a stream's chunks, refusing a frame longer than
/// ``RelayProtocol/maximumMessageLength`` from its length prefix alone. After the last message
/// of a stream, ``takeRemainder()`` hands over the bytes that followed it: the relayed session's.
public struct FramedMessageReader<Message: FramedMessage>: Sendable {
    private var decoder = FrameDecoder(maximumFrameLength: RelayProtocol.maximumMessageLength)

    /// An empty reader.
    public init() {}

    /// Adds a chunk received on the stream.
    public mutating func append(_ bytes: [UInt8]) {
        decoder.append(bytes)
    }

    /// The next whole message, or `nil` until more bytes arrive.
    public mutating func next() throws(RelayProtocolError) -> Message? {
        let body: [UInt8]?
        do {
            body = try decoder.nextFrame()
        } catch .frameTooLarge(let length, _) {
            throw .messageTooLarge(length: length)
        } catch {
            throw .malformed("a message's length prefix is longer than 4 bytes")
        }
        guard let body else { return nil }
        return try Message(decoding: body)
    }

    /// The bytes received after the last message taken, emptying the reader.
    public mutating func takeRemainder() -> [UInt8] {
        decoder.takeBufferedBytes()
    }
}
