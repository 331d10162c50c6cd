/// The sender's side of one `file-1` stream, without I/O: it gives the header, reads the
/// receiver's answer and trailer out of the stream's chunks and checks them against the offer.
public struct FileSendingStateMachine: Sendable {
    private enum State {
        case awaitingAnswer
        case sending
        case awaitingTrailer
        case ended
    }

    /// A message from the receiver.
    public enum Event: Sendable, Equatable {
        /// Send from `offset` (checked: within the file), or nothing.
        case answer(FileAnswer)
        /// The outcome; after it the receiver only finishes the stream. May come while sending,
        /// when the receiver fails early (e.g. it cannot write).
        case trailer(FileTrailer)
    }

    /// What is offered.
    public let offer: FileOffer
    private var state = State.awaitingAnswer
    private var reader = MessageReader()

    /// A sender of `offer`.
    public init(offer: FileOffer) {
        self.offer = offer
    }

    /// The header to write first.
    public var header: [UInt8] { offer.encoded() }

    /// Handles a chunk from the receiver; returns the messages it completed, in order.
    public mutating func receive(_ chunk: [UInt8]) throws(FileTransferProtocolError) -> [Event] {
        reader.append(chunk)
        var events: [Event] = []
        while let body = try reader.next()?.body {
            switch state {
            case .awaitingAnswer:
                let answer = try FileAnswer(decoding: body)
                switch answer {
                case .accept(let offset):
                    guard offset <= offer.size else { throw .offsetBeyondEnd(offset: offset, size: offer.size) }
                    state = .sending
                case .refuse:
                    state = .ended
                }
                events.append(.answer(answer))
            case .sending, .awaitingTrailer:
                events.append(.trailer(try FileTrailer(decoding: body)))
                state = .ended
            case .ended:
                throw .unexpectedData
            }
        }
        return events
    }

    /// Every byte from the offset on was written and the stream finished: the trailer is due.
    public mutating func dataSent() {
        if case .sending = state { state = .awaitingTrailer }
    }

    /// The receiver finished its half of the stream: fine once it answered with a refusal or sent
    /// the trailer.
    public mutating func inboundFinished() throws(FileTransferProtocolError) {
        switch state {
        case .awaitingAnswer: throw .endedEarly(expecting: "answer")
        case .sending, .awaitingTrailer: throw .endedEarly(expecting: "trailer")
        case .ended: guard reader.bufferedByteCount == 0 else { throw .endedEarly(expecting: "end of a message") }
        }
    }
}
