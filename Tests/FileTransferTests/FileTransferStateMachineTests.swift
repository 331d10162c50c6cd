import SNaP2PFileProtocol
import SNaP2PWire
import Testing

/// Both sides of a `file-1` stream as pure state machines, fed the bytes a stream would carry.
@Suite struct FileTransferStateMachineTests {
    static let offer = FileOffer(name: "data.bin", size: 10, sha256: Array(repeating: 7, count: 32))

    @Test func aWholeTransferInPieces() throws {
        var sender = FileSendingStateMachine(offer: Self.offer)
        var receiver = FileReceivingStateMachine()
        let header = sender.header
        // The header split byte by byte: nothing until its last byte.
        for byte in header.dropLast() { #expect(try receiver.receive([byte]) == nil) }
        #expect(try receiver.receive([header.last!]) == .offer(Self.offer))
        let answer = receiver.accept(offset: 4)
        #expect(try sender.receive(Array(answer.prefix(3))) == [])
        #expect(try sender.receive(Array(answer.dropFirst(3))) == [.answer(.accept(offset: 4))])
        #expect(try receiver.receive([1, 2, 3]) == .data([1, 2, 3]))
        #expect(try receiver.receive([4, 5, 6]) == .data([4, 5, 6]))
        try receiver.inboundFinished()
        sender.dataSent()
        let trailer = FileTrailer.verified(sha256: Self.offer.sha256)
        #expect(try sender.receive(trailer.encoded()) == [.trailer(trailer)])
        try sender.inboundFinished()
    }

    @Test func anEmptyFile() throws {
        let empty = FileOffer(name: "empty", size: 0, sha256: Array(repeating: 0, count: 32))
        var receiver = FileReceivingStateMachine()
        #expect(try receiver.receive(empty.encoded()) == .offer(empty))
        _ = receiver.accept(offset: 0)
        try receiver.inboundFinished()
    }

    @Test func anOversizeHeaderFailsFromItsLengthPrefix() {
        var receiver = FileReceivingStateMachine()
        // 0x81 0x20 declares 4097 bytes: refused before any body is buffered.
        #expect(throws: FileTransferProtocolError.messageTooLarge(length: 4097)) { try receiver.receive([0x81, 0x20]) }
        var sender = FileSendingStateMachine(offer: Self.offer)
        #expect(throws: FileTransferProtocolError.messageTooLarge(length: 1 << 20)) { try sender.receive([0x80, 0x80, 0x40]) }
    }

    @Test func dataBeforeTheAnswerIsAViolation() throws {
        var receiver = FileReceivingStateMachine()
        #expect(throws: FileTransferProtocolError.unexpectedData) { try receiver.receive(Self.offer.encoded() + [1]) }
        var deciding = FileReceivingStateMachine()
        _ = try deciding.receive(Self.offer.encoded())
        #expect(throws: FileTransferProtocolError.unexpectedData) { try deciding.receive([1]) }
    }

    @Test func aSizeThatLiesIsCaughtBothWays() throws {
        var tooMany = FileReceivingStateMachine()
        _ = try tooMany.receive(Self.offer.encoded())
        _ = tooMany.accept(offset: 0)
        _ = try tooMany.receive(Array(repeating: 0, count: 8))
        #expect(throws: FileTransferProtocolError.tooManyBytes(expected: 10)) { try tooMany.receive([0, 0, 0]) }

        var tooFew = FileReceivingStateMachine()
        _ = try tooFew.receive(Self.offer.encoded())
        _ = tooFew.accept(offset: 0)
        _ = try tooFew.receive(Array(repeating: 0, count: 9))
        #expect(throws: FileTransferProtocolError.truncated(received: 9, expected: 10)) { try tooFew.inboundFinished() }
    }

    @Test func endingEarlyIsNamed() throws {
        var receiver = FileReceivingStateMachine()
        #expect(throws: FileTransferProtocolError.endedEarly(expecting: "header")) { try receiver.inboundFinished() }
        var sender = FileSendingStateMachine(offer: Self.offer)
        #expect(throws: FileTransferProtocolError.endedEarly(expecting: "answer")) { try sender.inboundFinished() }
        _ = try sender.receive(FileAnswer.accept(offset: 0).encoded())
        sender.dataSent()
        #expect(throws: FileTransferProtocolError.endedEarly(expecting: "trailer")) { try sender.inboundFinished() }
    }

    @Test func aRefusalEndsIt() throws {
        var receiver = FileReceivingStateMachine()
        _ = try receiver.receive(Self.offer.encoded())
        let answer = receiver.refuse(FileTransferRefusal(.declined, message: "no thanks"))
        try receiver.inboundFinished()
        var sender = FileSendingStateMachine(offer: Self.offer)
        #expect(try sender.receive(answer) == [.answer(.refuse(FileTransferRefusal(.declined, message: "no thanks")))])
        try sender.inboundFinished()
        #expect(throws: FileTransferProtocolError.unexpectedData) { try sender.receive(FileTrailer.verified(sha256: Self.offer.sha256).encoded()) }
    }

    @Test func aResumeBeyondTheEndIsRefused() {
        var sender = FileSendingStateMachine(offer: Self.offer)
        #expect(throws: FileTransferProtocolError.offsetBeyondEnd(offset: 11, size: 10)) {
            try sender.receive(FileAnswer.accept(offset: 11).encoded())
        }
    }

    @Test func answerAndTrailerInOneChunkAreBothReturned() throws {
        var sender = FileSendingStateMachine(offer: Self.offer)
        let trailer = FileTrailer.failed(FileTransferRefusal(.writeFailed))
        let events = try sender.receive(FileAnswer.accept(offset: 0).encoded() + trailer.encoded())
        #expect(events == [.answer(.accept(offset: 0)), .trailer(trailer)])
    }
}
