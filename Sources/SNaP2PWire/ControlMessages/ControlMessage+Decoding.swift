extension ControlMessage {
    /// Decodes one control message. Every known field is type-checked, unknown keys are ignored,
    /// and an optional field that is null or empty text (`r`, `l`) reads as absent, as the reference
    /// writes it.
    public static func decode(_ bytes: some Collection<UInt8>) throws(ControlMessageDecodingError) -> ControlMessage {
        let item: CBOR
        do {
            item = try CBOR.decode(bytes)
        } catch {
            throw .cbor(error)
        }
        return try decode(item)
    }

    /// Decodes a control message from an already-decoded CBOR value.
    public static func decode(_ item: CBOR) throws(ControlMessageDecodingError) -> ControlMessage {
        guard let entries = item.map else { throw .notAMap }
        let fields = Fields(entries: entries)
        let rawType = try fields.uint("t")
        guard let type = MessageType(rawValue: rawType) else { throw .unknownType(rawType) }
        switch type {
        case .hello:
            let visibilityValue = try fields.uint("vis")
            guard visibilityValue <= UInt64(UInt8.max), let visibility = Visibility(rawValue: UInt8(visibilityValue))
            else { throw .invalidField("vis") }
            return .hello(
                Hello(
                    version: try fields.uint("v"),
                    nodePublicKey: try fields.bytes("pk"),
                    nonce: try fields.bytes("n"),
                    timestamp: try fields.uint("ts"),
                    visibility: visibility,
                    capabilities: try fields.textArray("cap")
                )
            )
        case .auth:
            return .auth(attestation: try fields.bytes("att"), handshakeData: try fields.bytes("hd"))
        case .authOK:
            return .authOK(principal: try fields.text("p"), sessionID: try fields.bytes("sid"))
        case .authFail:
            return .authFail(code: try fields.code("ec"), reason: try fields.optionalText("r"))
        case .openStream:
            return .openStream(streamID: try fields.uint("sid"), label: try fields.optionalText("l"))
        case .closeStream:
            return .closeStream(streamID: try fields.uint("sid"), code: try fields.optionalCode("ec"))
        case .streamData:
            return .streamData(
                streamID: try fields.uint("sid"),
                data: try fields.bytes("d"),
                fin: try fields.optionalBool("f") ?? false
            )
        case .windowUpdate:
            return .windowUpdate(streamID: try fields.uint("sid"), credit: try fields.uint("n"))
        case .ping:
            return .ping(seq: try fields.uint("seq"), timestamp: try fields.uint("ts"))
        case .pong:
            return .pong(seq: try fields.uint("seq"), timestamp: try fields.uint("ts"))
        case .knock:
            return .knock(token: try fields.bytes("it"))
        case .knockResponse:
            return .knockResponse(accepted: try fields.bool("a"))
        case .error:
            return .error(code: try fields.code("ec"), reason: try fields.optionalText("r"))
        }
    }
}

/// Typed, named access to a message's map, so each failure says which field was wrong.
private struct Fields {
    let entries: [String: CBOR]

    func required(_ key: String) throws(ControlMessageDecodingError) -> CBOR {
        guard let value = entries[key] else { throw .missingField(key) }
        return value
    }

    func uint(_ key: String) throws(ControlMessageDecodingError) -> UInt64 {
        guard let value = try required(key).uint else { throw .invalidField(key) }
        return value
    }

    func bytes(_ key: String) throws(ControlMessageDecodingError) -> [UInt8] {
        guard let value = try required(key).bytes else { throw .invalidField(key) }
        return value
    }

    func text(_ key: String) throws(ControlMessageDecodingError) -> String {
        guard let value = try required(key).text else { throw .invalidField(key) }
        return value
    }

    func bool(_ key: String) throws(ControlMessageDecodingError) -> Bool {
        guard let value = try required(key).bool else { throw .invalidField(key) }
        return value
    }

    func code(_ key: String) throws(ControlMessageDecodingError) -> ProtocolErrorCode {
        ProtocolErrorCode(rawValue: try uint(key))
    }

    func textArray(_ key: String) throws(ControlMessageDecodingError) -> [String] {
        guard let elements = try required(key).array else { throw .invalidField(key) }
        var texts: [String] = []
        texts.reserveCapacity(elements.count)
        for element in elements {
            guard let text = element.text else { throw .invalidField(key) }
            texts.append(text)
        }
        return texts
    }

    /// Optional fields are omitted by every known writer; a null is read as absent too.
    func isPresent(_ key: String) -> Bool {
        guard let value = entries[key] else { return false }
        return value != .null
    }

    func optionalText(_ key: String) throws(ControlMessageDecodingError) -> String? {
        guard isPresent(key) else { return nil }
        let value = try text(key)
        return value.isEmpty ? nil : value
    }

    func optionalBool(_ key: String) throws(ControlMessageDecodingError) -> Bool? {
        guard isPresent(key) else { return nil }
        return try bool(key)
    }

    func optionalCode(_ key: String) throws(ControlMessageDecodingError) -> ProtocolErrorCode? {
        guard isPresent(key) else { return nil }
        return try code(key)
    }
}
