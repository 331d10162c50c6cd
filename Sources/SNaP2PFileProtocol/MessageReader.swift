import SNaP2PWire

extension FileTransferProtocolError: FramedMessageError {}

/// One `file-1` message's body (varint-framed CBOR), which the state machines read as the message
/// their state expects: an offer, an answer or a trailer.
struct FileMessageFrame: FramedMessage {
    let body: [UInt8]

    /// ``FileTransferProtocol/maximumMessageLength``.
    static var maximumMessageLength: Int { FileTransferProtocol.maximumMessageLength }

    init(decoding body: [UInt8]) throws(FileTransferProtocolError) {
        self.body = body
    }
}

/// Cuts `file-1` messages out of a stream's chunks, refusing a frame longer than
/// ``FileTransferProtocol/maximumMessageLength`` from its length prefix alone.
typealias MessageReader = FramedMessageReader<FileMessageFrame>
