import SNaP2PWire

/// The receiver's reply to a ``FileOffer``: accept, from an offset (0, or the length of a partial
/// copy it kept from an interrupted transfer of the same file by the same sender), or refuse.
///
/// On the wire: one frame, `{"accept": true, "offset": uint}` or
/// `{"accept": false, "reason": text, "message": text?}`.
public enum FileAnswer: Sendable, Hashable {
    /// Send the bytes from `offset` to the end.
    case accept(offset: UInt64)
    /// Send nothing; the receiver finishes the stream.
    case refuse(FileTransferRefusal)

    /// The framed answer.
    public func encoded() -> [UInt8] {
        var map: [String: CBOR] = [:]
        switch self {
        case .accept(let offset):
            map["accept"] = .bool(true)
            map["offset"] = .unsigned(offset)
        case .refuse(let refusal):
            map["accept"] = .bool(false)
            refusal.encode(into: &map)
        }
        return Framing.frame(CBOR.map(map).encoded())
    }

    /// Reads an answer frame's body. An offset is not checked against the size here; the sender's
    /// state machine does that.
    public init(decoding body: [UInt8]) throws(FileTransferProtocolError) {
        let map = try FileTransferProtocol.decodeMap(body, what: "answer")
        switch map["accept"]?.bool {
        case true:
            guard let offset = map["offset"]?.uint else { throw .malformed("the answer accepts without an \"offset\"") }
            self = .accept(offset: offset)
        case false:
            self = .refuse(try FileTransferRefusal(decoding: map, what: "answer"))
        case nil:
            throw .malformed("the answer has no boolean \"accept\"")
        }
    }
}

/// The receiver's last message, after the sender finished its half of the stream: whether the
/// whole file arrived with the header's SHA-256 and is in place.
///
/// On the wire: one frame, `{"ok": true, "sha256": bytes(32)}` or
/// `{"ok": false, "reason": text, "message": text?}`.
public enum FileTrailer: Sendable, Hashable {
    /// Stored under its final name; the digest the receiver computed.
    case verified(sha256: [UInt8])
    /// Not stored (the `.partial` may remain on the receiver's side).
    case failed(FileTransferRefusal)

    /// The framed trailer.
    public func encoded() -> [UInt8] {
        var map: [String: CBOR] = [:]
        switch self {
        case .verified(let sha256):
            map["ok"] = .bool(true)
            map["sha256"] = .bytes(sha256)
        case .failed(let refusal):
            map["ok"] = .bool(false)
            refusal.encode(into: &map)
        }
        return Framing.frame(CBOR.map(map).encoded())
    }

    /// Reads a trailer frame's body.
    public init(decoding body: [UInt8]) throws(FileTransferProtocolError) {
        let map = try FileTransferProtocol.decodeMap(body, what: "trailer")
        switch map["ok"]?.bool {
        case true:
            guard let sha256 = map["sha256"]?.bytes, sha256.count == 32 else {
                throw .malformed("the trailer has no 32-byte \"sha256\"")
            }
            self = .verified(sha256: sha256)
        case false:
            self = .failed(try FileTransferRefusal(decoding: map, what: "trailer"))
        case nil:
            throw .malformed("the trailer has no boolean \"ok\"")
        }
    }
}
