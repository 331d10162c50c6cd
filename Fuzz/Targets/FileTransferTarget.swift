import SNaP2PFileProtocol

/// Both sides of a `file-1` stream (`FileReceivingStateMachine`, `FileSendingStateMachine`) fed
/// whatever a hostile peer sends.
///
/// Input: the side (even: receiver, odd: sender), a chunking seed, a decision (receiver: accept
/// from an offset, or refuse; sender: the offered size and when its data is all sent), then the
/// peer's bytes. Checks: nothing allocated is far larger than a message plus a chunk (lengths are
/// checked before buffering); a receiver reports one offer, with a name of 1-255 bytes, a 32-byte
/// hash and a size that fits a file offset, which re-encodes to the same offer, and never file bytes
/// before it accepted or beyond `size - offset`; its end is clean exactly when every announced byte
/// arrived (or it refused); a sender takes one answer, never an offset past the end, and a trailer
/// only after accepting; errors are final.
enum FileTransferTarget {
    static let target = FuzzTarget("file-transfer", dictionary: "cbor", maximumLength: 16384) { bytes in
        var input = FuzzInput(bytes)
        let isSender = input.bool()
        let chunkSeed = UInt32(input.byte())
        let choice = input.uint64()
        let stream = input.rest()
        let chunks = split(stream, seed: chunkSeed)
        if isSender {
            sender(chunks, choice: choice)
        } else {
            receiver(chunks, choice: choice)
        }
    }

    static func receiver(_ chunks: [[UInt8]], choice: UInt64) {
        var machine = FileReceivingStateMachine()
        var offer: FileOffer?
        var expected: UInt64?
        var received: UInt64 = 0
        for chunk in chunks {
            let event: FileReceivingStateMachine.Event?
            do {
                event = try withAllocationLimit(allocationLimit(chunk.count), "receiving a chunk of \(chunk.count) bytes") {
                    () throws(FileTransferProtocolError) in try machine.receive(chunk)
                }
            } catch {
                // An error ends the transfer: the receiver stops reading.
                return
            }
            switch event {
            case .offer(let offered):
                invariant(offer == nil, "a second offer")
                check(offered)
                offer = offered
                if choice & 1 == 0 {
                    let offset = (choice >> 1) % (offered.size + 1)
                    let answer = machine.accept(offset: offset)
                    expected = offered.size - offset
                    var sender = FileSendingStateMachine(offer: offered)
                    invariant((try? sender.receive(answer)) == [.answer(.accept(offset: offset))], "the answer does not read back")
                } else {
                    _ = machine.refuse(FileTransferRefusal(.declined, message: "fuzz"))
                }
            case .data(let data):
                guard let expected else {
                    invariant(false, "file bytes before an accept")
                    return
                }
                received += UInt64(data.count)
                invariant(received <= expected, "\(received) file bytes, \(expected) announced")
            case nil:
                break
            }
        }
        let ended = Result { () throws(FileTransferProtocolError) in try machine.inboundFinished() }
        let complete = offer != nil && (expected == nil || received == expected)
        switch ended {
        case .success: invariant(complete, "a clean end before the last byte (\(received) of \(String(describing: expected)))")
        case .failure: invariant(!complete, "an end after every byte failed")
        }
    }

    static func sender(_ chunks: [[UInt8]], choice: UInt64) {
        let offer = FileOffer(name: "file", size: choice % (FileTransferProtocol.maximumFileSize + 1), sha256: Array(repeating: 7, count: 32))
        var machine = FileSendingStateMachine(offer: offer)
        var answered: FileAnswer?
        var trailed = false
        for chunk in chunks {
            let events: [FileSendingStateMachine.Event]
            do {
                events = try withAllocationLimit(allocationLimit(chunk.count), "reading a chunk of \(chunk.count) bytes") {
                    () throws(FileTransferProtocolError) in try machine.receive(chunk)
                }
            } catch {
                return
            }
            for event in events {
                invariant(!trailed, "a message after the trailer")
                switch event {
                case .answer(let answer):
                    invariant(answered == nil, "a second answer")
                    if case .accept(let offset) = answer { invariant(offset <= offer.size, "offset \(offset) past \(offer.size)") }
                    answered = answer
                    if case .accept = answer, choice & 1 == 1 { machine.dataSent() }
                case .trailer:
                    guard case .accept = answered else {
                        invariant(false, "a trailer without an accept")
                        return
                    }
                    trailed = true
                }
            }
        }
        let ended = Result { () throws(FileTransferProtocolError) in try machine.inboundFinished() }
        var done = trailed
        if case .refuse = answered { done = true }
        if case .success = ended { invariant(done, "a clean end before the answer or trailer") }
    }

    /// A decoded offer keeps the protocol's limits and re-encodes to itself.
    static func check(_ offer: FileOffer) {
        invariant((1...FileTransferProtocol.maximumNameLength).contains(offer.name.utf8.count), "a name of \(offer.name.utf8.count) bytes")
        invariant(offer.sha256.count == 32, "a hash of \(offer.sha256.count) bytes")
        invariant(offer.size <= FileTransferProtocol.maximumFileSize, "size \(offer.size)")
        var again = FileReceivingStateMachine()
        invariant((try? again.receive(offer.encoded())) == .offer(offer), "the offer does not re-encode to itself")
    }

    /// A message, the chunk that carries it, and the decoder's growth.
    static func allocationLimit(_ chunkCount: Int) -> Int {
        4 * (chunkCount + FileTransferProtocol.maximumMessageLength) + 4096
    }

    /// Chunk sizes from a small generator; seed 0 delivers everything at once.
    static func split(_ stream: [UInt8], seed: UInt32) -> [[UInt8]] {
        var seed = seed
        var chunks: [[UInt8]] = []
        var offset = 0
        while offset < stream.count {
            let size: Int
            if seed == 0 {
                size = stream.count - offset
            } else {
                seed = seed &* 1_103_515_245 &+ 12_345
                size = min(stream.count - offset, Int(seed >> 16) % 97 + 1)
            }
            chunks.append(Array(stream[offset..<offset + size]))
            offset += size
        }
        return chunks
    }
}
