/// The errors of a stream protocol whose messages are framed like the control plane
/// (`varint(length) || body`): `px-1`, `relay-1`, `upgrade-1`, `file-1`. Enum cases of these
/// names satisfy the requirements.
public protocol FramedMessageError: Error {
    /// A frame whose length prefix declares more than the protocol allows.
    static func messageTooLarge(length: Int) -> Self
    /// Bytes that are not a message (here: a length prefix longer than 4 bytes).
    static func malformed(_ reason: String) -> Self
}

/// A message of such a stream protocol, read from one frame's body.
public protocol FramedMessage: Sendable {
    /// What a malformed message throws.
    associatedtype DecodingError: FramedMessageError
    /// The longest body the protocol allows.
    static var maximumMessageLength: Int { get }
    /// Reads one frame's body, checking every field.
    init(decoding body: [UInt8]) throws(DecodingError)
}

/// Cuts messages out of a stream's chunks, refusing a frame longer than the message's
/// ``FramedMessage/maximumMessageLength`` from its length prefix alone, before buffering it.
public struct FramedMessageReader<Message: FramedMessage>: Sendable {
    private var decoder = FrameDecoder(maximumFrameLength: Message.maximumMessageLength)

    /// A reader with nothing buffered.
    public init() {}

    /// Adds bytes received on the stream.
    public mutating func append(_ bytes: [UInt8]) {
        decoder.append(bytes)
    }

    /// Bytes received after the last whole message.
    public var bufferedByteCount: Int { decoder.bufferedByteCount }

    /// The next whole message, or `nil` until more bytes arrive.
    public mutating func next() throws(Message.DecodingError) -> Message? {
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

    /// The bytes received after the last message taken, emptying the reader: what follows the
    /// protocol's messages on the same stream (a relayed session's first bytes).
    public mutating func takeRemainder() -> [UInt8] {
        decoder.takeBufferedBytes()
    }
}
