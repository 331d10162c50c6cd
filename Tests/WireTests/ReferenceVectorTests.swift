import Crypto
import SNaP2PWire
import Testing
import TestSupport

/// Every `wire` entry of reference.json, byte for byte.
@Suite struct ReferenceVectorTests {
    let wire = Vectors.value(Vectors.reference, "wire") as! [String: Any]

    @Test func messagesEncodeByteForByteAndDecodeToTheRecordedFields() throws {
        let messages = wire["messages"] as! [[String: Any]]
        #expect(messages.count == 27)
        for vector in messages {
            let name = vector["name"] as! String
            let expectedBytes = [UInt8](hex: vector["cbor"] as! String)
            let input = try #require(ReferenceMessage.make(vector["input"] as! [String: Any]), "\(name)")
            let decoded = try #require(ReferenceMessage.make(vector["decoded"] as! [String: Any]), "\(name)")
            #expect(input.encoded().hex == expectedBytes.hex, "\(name)")
            #expect(input.cbor.encoded() == expectedBytes, "\(name)")
            #expect(try ControlMessage.decode(expectedBytes) == decoded, "\(name)")
        }
    }

    @Test func decodeCasesMatchTheReference() throws {
        let cases = wire["decode_cases"] as! [[String: Any]]
        #expect(cases.count == 4)
        for vector in cases {
            let name = vector["name"] as! String
            let bytes = [UInt8](hex: vector["cbor"] as! String)
            let result = vector["result"] as! [String: Any]
            if result["error"] != nil {
                // The reference throws "Unknown message type: 119"; we report the type so a session can drop it.
                #expect(throws: ControlMessageDecodingError.unknownType(0x77), "\(name)") {
                    try ControlMessage.decode(bytes)
                }
            } else {
                let expected = try #require(ReferenceMessage.make(result))
                #expect(try ControlMessage.decode(bytes) == expected, "\(name)")
            }
        }
    }

    @Test func messageTypesAndErrorCodesMatchTheReferenceTables() throws {
        let types = wire["message_types"] as! [String: Int]
        for (name, value) in types {
            let sample = try #require(ReferenceMessage.sample(type: UInt64(value)), "\(name)")
            #expect(try CBOR.decode(sample.encoded())["t"]?.uint == UInt64(value))
        }
        let codes = wire["error_codes"] as! [String: Int]
        #expect(codes.count == 21)
        for (name, value) in codes {
            let code = ProtocolErrorCode(rawValue: UInt64(value))
            let expectedName = name.hasPrefix("ERR_") ? String(name.dropFirst(4)) : name
            #expect(code.description == expectedName)
        }
        #expect(ProtocolErrorCode.streamRefused.rawValue == 20)
        #expect(ProtocolErrorCode.internalError.description == "INTERNAL")
        #expect(ProtocolErrorCode(rawValue: 99).description == "CODE_99")
    }

    @Test func varintsMatch() throws {
        let vectors = wire["varint"] as! [[String: Any]]
        #expect(vectors.count == 12)
        for vector in vectors {
            let value = vector["value"] as! Int
            let encoded = [UInt8](hex: vector["encoded"] as! String)
            #expect(Varint.encoded(UInt64(value)) == encoded)
            let decoded = try lengthPrefix(encoded, maximum: .max)
            #expect(decoded?.length == value)
            #expect(decoded?.prefixLength == encoded.count)
        }
    }

    @Test func framesMatchIncludingTheirSHA256() throws {
        let vectors = wire["frames"] as! [[String: Any]]
        #expect(vectors.count == 6)
        for vector in vectors {
            let length = vector["payload_len"] as! Int
            let payload = (0..<length).map { UInt8(truncatingIfNeeded: $0) }
            let frame = Framing.frame(payload)
            #expect(frame.count == vector["frame_len"] as! Int)
            #expect(Array(frame.prefix(frame.count - length)).hex == vector["length_prefix"] as! String)
            if let hex = vector["frame"] as? String { #expect(frame.hex == hex) }
            #expect(Array(SHA256.hash(data: frame)).hex == vector["frame_sha256"] as! String)

            var decoder = FrameDecoder(maximumFrameLength: FramingLimits.maximumFrameLength)
            decoder.append(frame)
            #expect(try decoder.nextFrame() == payload)
            #expect(try decoder.nextFrame() == nil)
        }
    }

    @Test func frameLimitsMatch() throws {
        let limits = wire["frame_limits"] as! [String: Any]
        #expect(limits["max_message_size"] as! Int == FramingLimits.maximumFrameLength)
        let prefix = [UInt8](hex: limits["frame_16MiB_prefix"] as! String)
        #expect(Varint.encoded(UInt64(FramingLimits.maximumFrameLength)) == prefix)
        let atLimit = try lengthPrefix(prefix, maximum: FramingLimits.maximumFrameLength)
        #expect(atLimit?.length == FramingLimits.maximumFrameLength)
        let overLimit = Varint.encoded(UInt64(FramingLimits.maximumFrameLength + 1))
        #expect(throws: FramingError.frameTooLarge(length: 16_777_217, maximum: 16_777_216)) {
            try lengthPrefix(overLimit, maximum: FramingLimits.maximumFrameLength)
        }
        // The reference's "Varint too large" for six bytes; we already refuse the fifth.
        let sixBytes: [UInt8] = [0x80, 0x80, 0x80, 0x80, 0x80, 0x01]
        #expect(throws: FramingError.lengthPrefixTooLong) {
            try lengthPrefix(sixBytes, maximum: .max)
        }
    }
}

/// Builds messages from the reference's JSON field names (bigints are decimal strings, bytes hex).
enum ReferenceMessage {
    static func make(_ json: [String: Any]) -> ControlMessage? {
        func bytes(_ key: String) -> [UInt8] { [UInt8](hex: json[key] as! String) }
        func bigint(_ key: String) -> UInt64 { UInt64(json[key] as! String)! }
        func int(_ key: String) -> UInt64 { UInt64(json[key] as! Int) }
        func code() -> ProtocolErrorCode { ProtocolErrorCode(rawValue: int("errorCode")) }
        switch json["type"] as! Int {
        case 0x01:
            return .hello(
                Hello(
                    version: int("version"),
                    nodePublicKey: bytes("nodePublicKey"),
                    nonce: bytes("nonce"),
                    timestamp: bigint("timestamp"),
                    visibility: Visibility(rawValue: UInt8(json["visibility"] as! Int))!,
                    capabilities: json["capabilities"] as! [String]
                )
            )
        case 0x02: return .auth(attestation: bytes("attestation"), handshakeData: bytes("handshakeData"))
        case 0x03: return .authOK(principal: json["principal"] as! String, sessionID: bytes("sessionId"))
        case 0x04: return .authFail(code: code(), reason: json["reason"] as? String)
        case 0x10: return .openStream(streamID: bigint("streamId"), label: json["label"] as? String)
        case 0x11:
            return .closeStream(
                streamID: bigint("streamId"),
                code: json["errorCode"].map { ProtocolErrorCode(rawValue: UInt64($0 as! Int)) }
            )
        case 0x12: return .streamData(streamID: bigint("streamId"), data: bytes("data"), fin: json["fin"] as? Bool ?? false)
        case 0x20: return .ping(seq: bigint("sequence"), timestamp: bigint("timestamp"))
        case 0x21: return .pong(seq: bigint("sequence"), timestamp: bigint("timestamp"))
        case 0x30: return .knock(token: bytes("inviteToken"))
        case 0x31: return .knockResponse(accepted: json["allowed"] as! Bool)
        case 0xff: return .error(code: code(), reason: json["reason"] as? String)
        default: return nil
        }
    }

    /// One message of each known type, for tables and fuzz seeds.
    static func sample(type: UInt64) -> ControlMessage? {
        samples.first { (try? CBOR.decode($0.encoded())["t"]?.uint) == type }
    }

    static let samples: [ControlMessage] = [
        .hello(Hello(nodePublicKey: [UInt8](repeating: 7, count: 32), nonce: [UInt8](repeating: 9, count: 32),
                     timestamp: 1_700_000_000, visibility: .stealth, capabilities: ["fc1"])),
        .auth(attestation: [1, 2, 3], handshakeData: []),
        .authOK(principal: "stacks:SP1C7S6ZWGYM3F82PYWBC5YEYH4DDQH3CJ1V94MBC", sessionID: [UInt8](repeating: 0xa1, count: 32)),
        .authFail(code: .inviteRequired, reason: "Invite token required"),
        .openStream(streamID: 4, label: "chat"),
        .closeStream(streamID: 3, code: .ok),
        .streamData(streamID: 2, data: [0x68, 0x69], fin: true),
        .windowUpdate(streamID: 5, credit: 262_144),
        .ping(seq: 1000, timestamp: 1_700_000_000),
        .pong(seq: 1000, timestamp: 1_700_000_001),
        .knock(token: [UInt8](repeating: 0x42, count: 16)),
        .knockResponse(accepted: true),
        .error(code: .internalError, reason: "boom"),
    ]
}
