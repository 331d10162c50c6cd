extension ControlMessage {
    /// The CBOR bytes, identical to what the reference writes for the same message.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        encode(into: &out)
        return out
    }

    /// Appends the CBOR bytes.
    public func encode(into out: inout [UInt8]) {
        if case .streamData(let streamID, let data, let fin) = self {
            Self.encodeStreamData(streamID: streamID, data: data, fin: fin, into: &out)
        } else {
            cbor.encode(into: &out)
        }
    }

    /// Writes STREAM_DATA straight into `out` without building a CBOR value: the data path's
    /// encoder, byte-identical to `ControlMessage.streamData(...).encoded()`.
    public static func encodeStreamData(
        streamID: UInt64,
        data: UnsafeRawBufferPointer,
        fin: Bool,
        into out: inout [UInt8]
    ) {
        // Keys in the reference's order: d, f, sid, t.
        out.reserveCapacity(out.count + data.count + 32)
        out.append(fin ? 0xa4 : 0xa3)
        out.append(contentsOf: [0x61, UInt8(ascii: "d")])
        CBOR.writeHead(.bytes, UInt64(data.count), into: &out)
        out.append(contentsOf: data)
        if fin {
            out.append(contentsOf: [0x61, UInt8(ascii: "f"), 0xf5])
        }
        out.append(contentsOf: [0x63, UInt8(ascii: "s"), UInt8(ascii: "i"), UInt8(ascii: "d")])
        CBOR.writeHead(.unsigned, streamID, into: &out)
        out.append(contentsOf: [0x61, UInt8(ascii: "t"), 0x12])
    }

    /// ``encodeStreamData(streamID:data:fin:into:)`` for data in an array.
    public static func encodeStreamData(streamID: UInt64, data: [UInt8], fin: Bool, into out: inout [UInt8]) {
        data.withUnsafeBytes { encodeStreamData(streamID: streamID, data: $0, fin: fin, into: &out) }
    }

    /// ``encodeStreamData(streamID:data:fin:into:)`` for data in a slice of an array.
    public static func encodeStreamData(streamID: UInt64, data: ArraySlice<UInt8>, fin: Bool, into out: inout [UInt8]) {
        data.withUnsafeBytes { encodeStreamData(streamID: streamID, data: $0, fin: fin, into: &out) }
    }

    /// The message as a CBOR map, optional fields omitted as the reference omits them. Encoding it
    /// gives the same bytes as ``encoded()``, which skips this tree for STREAM_DATA.
    public var cbor: CBOR {
        var fields: [String: CBOR]
        switch self {
        case .hello(let hello):
            fields = [
                "v": .unsigned(hello.version),
                "pk": .bytes(hello.nodePublicKey),
                "n": .bytes(hello.nonce),
                "ts": .unsigned(hello.timestamp),
                "vis": .unsigned(UInt64(hello.visibility.rawValue)),
                "cap": .array(hello.capabilities.map(CBOR.text)),
            ]
        case .auth(let attestation, let handshakeData):
            fields = ["att": .bytes(attestation), "hd": .bytes(handshakeData)]
        case .authOK(let principal, let sessionID):
            fields = ["p": .text(principal), "sid": .bytes(sessionID)]
        case .authFail(let code, let reason), .error(let code, let reason):
            fields = ["ec": .unsigned(code.rawValue)]
            if let reason, !reason.isEmpty { fields["r"] = .text(reason) }
        case .openStream(let streamID, let label):
            fields = ["sid": .unsigned(streamID)]
            if let label, !label.isEmpty { fields["l"] = .text(label) }
        case .closeStream(let streamID, let code):
            fields = ["sid": .unsigned(streamID)]
            if let code { fields["ec"] = .unsigned(code.rawValue) }
        case .streamData(let streamID, let data, let fin):
            fields = ["sid": .unsigned(streamID), "d": .bytes(data)]
            if fin { fields["f"] = .bool(true) }
        case .windowUpdate(let streamID, let credit):
            fields = ["sid": .unsigned(streamID), "n": .unsigned(credit)]
        case .ping(let seq, let timestamp), .pong(let seq, let timestamp):
            fields = ["seq": .unsigned(seq), "ts": .unsigned(timestamp)]
        case .knock(let token):
            fields = ["it": .bytes(token)]
        case .knockResponse(let accepted):
            fields = ["a": .bool(accepted)]
        }
        fields["t"] = .unsigned(type.rawValue)
        return .map(fields)
    }

    /// The `t` of this message.
    var type: MessageType {
        switch self {
        case .hello: .hello
        case .auth: .auth
        case .authOK: .authOK
        case .authFail: .authFail
        case .openStream: .openStream
        case .closeStream: .closeStream
        case .streamData: .streamData
        case .windowUpdate: .windowUpdate
        case .ping: .ping
        case .pong: .pong
        case .knock: .knock
        case .knockResponse: .knockResponse
        case .error: .error
        }
    }
}
