import SNaP2PIdentity
import SNaP2PRelay
import SNaP2PWire

/// `RelayMessageReader` and `RelayMessage` (the `relay-1` protocol) fed whatever a hostile peer
/// sends on a relay stream, in any chunking.
///
/// Input: a chunking seed, then the stream. Checks: nothing allocated is far larger than a message
/// plus a chunk (a length is checked before buffering); every message read re-encodes to a frame
/// that reads back as itself, with a principal that prints and parses back; the bytes after the
/// messages read are handed over whole (what was appended minus what the messages took); an error
/// ends the stream.
enum RelayMessageTarget {
    static let target = FuzzTarget("relay-message", dictionary: "cbor", maximumLength: 4096) { bytes in
        var input = FuzzInput(bytes)
        let chunkSeed = UInt32(input.byte())
        let stream = input.rest()
        var reader = RelayMessageReader()
        var consumed = 0
        var appended = 0
        for chunk in FileTransferTarget.split(stream, seed: chunkSeed) {
            reader.append(chunk)
            appended += chunk.count
            while true {
                let message: RelayMessage?
                do {
                    message = try withAllocationLimit(allocationLimit(chunk.count), "reading a chunk of \(chunk.count) bytes") {
                        () throws(RelayProtocolError) in try reader.next()
                    }
                } catch {
                    return
                }
                guard let message else { break }
                let encoded = message.encoded()
                consumed += encodedLength(of: stream, from: consumed)
                check(message, encoded: encoded)
            }
        }
        invariant(reader.takeRemainder().count == appended - consumed, "the remainder is not what the messages left")
    }

    /// A decoded message reads back as itself from its own encoding.
    static func check(_ message: RelayMessage, encoded: [UInt8]) {
        var again = RelayMessageReader()
        again.append(encoded)
        invariant((try? again.next()) == message, "\(message.type) does not re-encode to itself")
        switch message {
        case .connect(let principal), .incoming(let principal):
            invariant((try? Principal(principal.description)) == principal, "the principal does not print and parse back")
        case .refused(let refusal):
            invariant((refusal.message?.utf8.count ?? 0) <= RelayProtocol.maximumMessageTextLength, "an over-long refusal message")
        case .reserve, .reserved, .accepted:
            break
        }
    }

    /// The length of the frame (prefix and body) that starts at `offset` of `stream`, which the
    /// reader just returned.
    static func encodedLength(of stream: [UInt8], from offset: Int) -> Int {
        var length = 0
        var shift = 0
        var index = offset
        while index < stream.count {
            let byte = stream[index]
            length |= Int(byte & 0x7f) << shift
            index += 1
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        return index - offset + length
    }

    /// A message, the chunk that carries it, and the decoder's growth.
    static func allocationLimit(_ chunkCount: Int) -> Int {
        4 * (chunkCount + RelayProtocol.maximumMessageLength) + 4096
    }
}
