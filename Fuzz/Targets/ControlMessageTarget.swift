import SNaP2PWire

/// `ControlMessage.decode`: every frame after the handshake, and the plaintext KNOCK exchange.
///
/// Checks: allocation stays proportional to the input; decoding bytes and decoding their CBOR
/// value agree; whatever decodes round-trips (decode(encode(x)) == x); the direct STREAM_DATA
/// writer gives the same bytes as the CBOR tree; the encoding is a CBOR map whose `t` is set.
enum ControlMessageTarget {
    static let target = FuzzTarget("control-message", dictionary: "cbor") { input in
        let result = withAllocationLimit(CBORTarget.allocationLimit(input.count), "ControlMessage.decode of \(input.count) bytes") {
            Result { () throws(ControlMessageDecodingError) in try ControlMessage.decode(input) }
        }
        if let item = try? CBOR.decode(input) {
            let fromItem = Result { () throws(ControlMessageDecodingError) in try ControlMessage.decode(item) }
            invariant(fromItem == result, "decode(bytes) and decode(CBOR) disagree: \(result) vs \(fromItem)")
        } else if case .success(let message) = result {
            invariant(false, "decoded \(message) from bytes that are not CBOR")
        }
        guard case .success(let message) = result else { return }

        let encoded = message.encoded()
        let again = Result { () throws(ControlMessageDecodingError) in try ControlMessage.decode(encoded) }
        invariant(again == .success(message), "decode(encode(x)) != x: \(message) -> \(Hex.encode(encoded)) -> \(again)")
        invariant(message.cbor.encoded() == encoded, "encoded() differs from cbor.encoded() for \(message)")
        invariant(CBOR(validating: encoded)?["t"]?.uint != nil, "the encoding has no numeric t")

        var appended: [UInt8] = [0xee]
        message.encode(into: &appended)
        invariant(Array(appended.dropFirst()) == encoded, "encode(into:) does not append exactly encoded()")

        if case .streamData(let streamID, let data, let fin) = message {
            invariant(data.count <= input.count, "STREAM_DATA holds more bytes than arrived")
            var direct: [UInt8] = []
            ControlMessage.encodeStreamData(streamID: streamID, data: data, fin: fin, into: &direct)
            invariant(direct == encoded, "encodeStreamData differs from the CBOR tree")
            var fromSlice: [UInt8] = []
            ControlMessage.encodeStreamData(streamID: streamID, data: data[...], fin: fin, into: &fromSlice)
            invariant(fromSlice == encoded, "encodeStreamData(slice) differs from the CBOR tree")
        }
    }
}

extension CBOR {
    /// The decoded value, or nil.
    init?(validating bytes: [UInt8]) {
        guard let value = try? CBOR.decode(bytes) else { return nil }
        self = value
    }
}
