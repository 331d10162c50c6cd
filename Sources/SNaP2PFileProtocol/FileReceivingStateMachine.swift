/// The receiver's side of one `file-1` stream, without I/O: feed it the stream's chunks and its
/// end, tell it the decision, and it says what arrived and what to send back.
///
/// Order: header → (decision) answer → exactly `size - offset` file bytes → the sender's end of
/// stream → trailer. Anything else is a ``FileTransferProtocolError``: data before the answer,
/// more bytes than announced, an end before the last byte.
public struct FileReceivingStateMachine: Sendable {
    private enum State {
        case awaitingOffer(MessageReader)
        case deciding(FileOffer)
        case receiving(offer: FileOffer, offset: UInt64, received: UInt64)
        case refused
        case ended
    }

    /// What a chunk brought.
    public enum Event: Sendable, Equatable {
        /// The header is complete: decide, then ``accept(offset:)`` or ``refuse(_:)``.
        case offer(FileOffer)
        /// File bytes, in order, to be written after those before.
        case data([UInt8])
    }

    private var state = State.awaitingOffer(MessageReader())

    /// A receiver waiting for the header.
    public init() {}

    /// Handles a chunk of the stream.
    public mutating func receive(_ chunk: [UInt8]) throws(FileTransferProtocolError) -> Event? {
        switch state {
        case .awaitingOffer(var reader):
            reader.append(chunk)
            guard let body = try reader.next()?.body else {
                state = .awaitingOffer(reader)
                return nil
            }
            // The sender must wait for the answer before it sends any file byte.
            guard reader.bufferedByteCount == 0 else { throw .unexpectedData }
            let offer = try FileOffer(decoding: body)
            state = .deciding(offer)
            return .offer(offer)
        case .receiving(let offer, let offset, let received):
            let expected = offer.size - offset
            guard UInt64(chunk.count) <= expected - received else { throw .tooManyBytes(expected: offer.size) }
            state = .receiving(offer: offer, offset: offset, received: received + UInt64(chunk.count))
            return chunk.isEmpty ? nil : .data(chunk)
        case .deciding, .refused, .ended:
            guard chunk.isEmpty else { throw .unexpectedData }
            return nil
        }
    }

    /// Accepts the offer from `offset` (0 ≤ offset ≤ size); returns the answer to send.
    public mutating func accept(offset: UInt64) -> [UInt8] {
        guard case .deciding(let offer) = state, offset <= offer.size else {
            preconditionFailure("accept(offset:) needs an offer being decided and an offset within it")
        }
        state = .receiving(offer: offer, offset: offset, received: 0)
        return FileAnswer.accept(offset: offset).encoded()
    }

    /// Refuses the offer (or a header that could not be read); returns the answer to send.
    public mutating func refuse(_ refusal: FileTransferRefusal) -> [UInt8] {
        state = .refused
        return FileAnswer.refuse(refusal).encoded()
    }

    /// The sender finished its half of the stream: fine after every announced byte (or after a
    /// refusal), a truncated transfer otherwise.
    public mutating func inboundFinished() throws(FileTransferProtocolError) {
        defer { state = .ended }
        switch state {
        case .awaitingOffer:
            throw .endedEarly(expecting: "header")
        case .deciding:
            throw .endedEarly(expecting: "file bytes")
        case .receiving(let offer, let offset, let received):
            guard offset + received == offer.size else { throw .truncated(received: offset + received, expected: offer.size) }
        case .refused, .ended:
            return
        }
    }
}
