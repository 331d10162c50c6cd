import ArgumentParser
import Foundation
import SNaP2PIdentity
import SNaP2PWire

/// `snap2p inspect`: decodes captured protocol bytes (an attestation, an alias card, or a control
/// message such as a plaintext KNOCK or AUTH_FAIL) and says whether a signed document would be
/// accepted, and if not, why.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Decode a serialized attestation, alias card or control message and check it.",
        discussion: """
            HEX is a serialized NodeKeyAttestation (as carried in AUTH `att`), an AliasCard (as \
            carried in AUTH `hd`, or stored by `snap2p alias set`) or one CBOR control message, with \
            or without its varint frame-length prefix; `-` reads the hex from standard input. \
            Whitespace is ignored. An attestation or card is verified at --at (default: now) against \
            mainnet, or testnet with --testnet; an AUTH message's attestation and card are verified too.

            Exit status: 0 when the bytes decode and any attestation is valid, 1 otherwise.

            Examples:
              snap2p inspect a866646f6d61696e...
              snap2p inspect --at 1700000100 --json - < attestation.hex
            """
    )

    /// Hex input larger than a maximum-size frame is refused before decoding.
    static let maximumInputBytes = 2 * FramingLimits.maximumFrameLength + 4096

    @Option(help: "Check the attestation at this unix time (seconds) instead of now.")
    var at: UInt64?

    @Flag(help: "Check against a testnet peer (ST... principals) instead of mainnet.")
    var testnet = false

    @Flag(help: "Print one JSON object (keys: kind, valid, error, and the decoded fields).")
    var json = false

    @Argument(help: "The bytes as hex, or - to read the hex from standard input.")
    var hex: String

    func run() throws {
        let text = hex == "-" ? try TerminalInput.readToEnd(what: "hex", maximumBytes: Self.maximumInputBytes) : hex
        let bytes = try Self.decodeHex(text)
        let now = at ?? WallClock.unixSeconds()
        let inspection = Inspection(bytes: bytes, at: now, network: testnet ? .testnet : .mainnet)
        if json {
            let data = try JSONSerialization.data(
                withJSONObject: inspection.jsonObject, options: [.sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(inspection.text, terminator: "")
        }
        if !inspection.isValid { throw ExitCode.failure }
    }

    /// Hex with any whitespace (line breaks from copying) removed.
    static func decodeHex(_ text: String) throws(InspectInputError) -> [UInt8] {
        let digits = String(text.unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) })
        guard !digits.isEmpty else { throw .empty }
        do {
            return try Hex.decode(digits)
        } catch {
            switch error {
            case .oddLength: throw .oddLength(digits.count)
            case .invalidCharacter(let offset):
                throw .invalidCharacter(digits[digits.index(digits.startIndex, offsetBy: offset)], offset: offset)
            }
        }
    }
}

/// Why the input is not hex.
enum InspectInputError: Error, CustomStringConvertible {
    case empty
    case oddLength(Int)
    case invalidCharacter(Character, offset: Int)

    var description: String {
        switch self {
        case .empty: return "no hex digits given"
        case .oddLength(let count): return "not hex: \(count) digits, an odd number"
        case .invalidCharacter(let character, let offset):
            return "not hex: '\(character)' at offset \(offset) (whitespace removed)"
        }
    }
}

/// What the bytes turned out to be, with the verdict on any signed document (attestation or alias card).
private enum Inspection {
    case document(DocumentInspection)
    case controlMessage(ControlMessage, framed: Bool, documents: [(String, DocumentInspection)])
    case undecodable(String)

    init(bytes: [UInt8], at now: UInt64, network: StacksNetwork) {
        // A captured frame starts with its length; strip it only when the bytes are not CBOR themselves.
        let item: CBOR
        var body = bytes
        var framed = false
        do {
            item = try CBOR.decode(bytes)
        } catch {
            guard let unframed = Self.frameBody(bytes), let framedItem = try? CBOR.decode(unframed) else {
                self = .undecodable("not CBOR (\(error)), nor one length-prefixed frame of CBOR")
                return
            }
            (item, body, framed) = (framedItem, unframed, true)
        }
        guard item["t"] != nil else {
            // An alias card names its domain or has an alias; anything else is read as an attestation.
            let isAliasCard = item["domain"]?.text == AliasCard.domain || item["alias"] != nil
            self = .document(isAliasCard
                ? DocumentInspection(aliasCard: body, at: now, network: network)
                : DocumentInspection(attestation: body, at: now, network: network))
            return
        }
        do {
            let message = try ControlMessage.decode(item)
            var documents: [(String, DocumentInspection)] = []
            if case .auth(let attestation, let handshakeData) = message {
                documents.append(("AUTH attestation", DocumentInspection(attestation: attestation, at: now, network: network)))
                if !handshakeData.isEmpty {
                    documents.append(("AUTH alias card", DocumentInspection(aliasCard: handshakeData, at: now, network: network)))
                }
            }
            self = .controlMessage(message, framed: framed, documents: documents)
        } catch {
            self = .undecodable("not a control message: \(error)")
        }
    }

    private static func frameBody(_ bytes: [UInt8]) -> [UInt8]? {
        let prefix = try? bytes.withUnsafeBytes { buffer in
            try Varint.decodeLengthPrefix(buffer, maximum: FramingLimits.maximumFrameLength)
        }
        guard let (length, prefixLength) = prefix ?? nil, prefixLength + length == bytes.count else { return nil }
        return Array(bytes[prefixLength...])
    }

    var isValid: Bool {
        switch self {
        case .document(let document): return document.isValid
        case .controlMessage(_, _, let documents): return documents.allSatisfy(\.1.isValid)
        case .undecodable: return false
        }
    }

    var jsonObject: [String: Any] {
        switch self {
        case .document(let document):
            return document.jsonObject
        case .controlMessage(let message, let framed, let documents):
            let description = MessageDescription(message)
            var object: [String: Any] = ["kind": description.name, "type": description.type, "framed": framed]
            for (key, value) in description.fields { object[key] = value.json }
            let invalid = documents.first { !$0.1.isValid }?.1
            object["valid"] = invalid == nil
            object["error"] = invalid?.error.map { $0 as Any } ?? NSNull()
            for (_, document) in documents { object[document.kind] = document.jsonObject }
            return object
        case .undecodable(let reason):
            return ["kind": "unknown", "valid": false, "error": reason]
        }
    }

    var text: String {
        switch self {
        case .document(let document):
            return document.text
        case .controlMessage(let message, let framed, let documents):
            let description = MessageDescription(message)
            var lines = ["\(description.name) (t = 0x\(String(description.type, radix: 16, uppercase: false)))"
                + (framed ? ", with frame-length prefix" : "")]
            lines += aligned(description.fields.map { ($0.key.replacingOccurrences(of: "_", with: " "), $0.value.text) })
            var text = lines.joined(separator: "\n") + "\n"
            for (title, document) in documents { text += "\n\(title):\n" + document.text }
            return text
        case .undecodable(let reason):
            return "undecodable: \(reason)\n"
        }
    }
}

/// A wallet-signed document (a node-key attestation or an alias card) and its verdict.
private struct DocumentInspection {
    /// `attestation` or `alias_card`: the JSON `kind`.
    let kind: String
    /// Every field the kind has, in display order; `nil` values when the bytes did not decode.
    let fields: [(key: String, value: FieldValue)]
    let decoded: Bool
    /// Why it would be refused; `nil` when valid.
    let error: String?
    /// The AUTH_FAIL code a refusal would carry (attestations only).
    let errorCode: ProtocolErrorCode?
    let now: UInt64
    let network: StacksNetwork

    init(attestation bytes: [UInt8], at now: UInt64, network: StacksNetwork) {
        var fields: [(String, FieldValue)] = [
            ("principal", .absent), ("node_public_key", .absent), ("noise_static_key", .absent), ("issued_at", .absent),
            ("expires_at", .absent), ("nonce", .absent), ("domain", .absent), ("signature", .absent),
        ]
        var failure: AttestationError?
        var decoded = false
        do throws(AttestationError) {
            let attestation = try NodeKeyAttestation(serialized: bytes)
            decoded = true
            // The X25519 key a peer presenting this attestation must use as its Noise static key.
            let noiseStaticKey = try? NodeKey.montgomeryPublicKey(fromEd25519: attestation.nodePublicKey)
            fields = [
                ("principal", .text(attestation.principal.description)),
                ("node_public_key", .bytes(attestation.nodePublicKey)),
                ("noise_static_key", noiseStaticKey.map(FieldValue.bytes) ?? .absent),
                ("issued_at", .time(attestation.issuedAt)),
                ("expires_at", .time(attestation.expiresAt)),
                ("nonce", .bytes(attestation.nonce)),
                ("domain", .text(attestation.domain)),
                ("signature", .bytes(attestation.signature.bytes)),
            ]
            _ = try attestation.verify(at: now, network: network)
        } catch {
            failure = error
        }
        self.init(
            kind: "attestation", fields: fields, decoded: decoded, error: failure?.description,
            errorCode: failure?.protocolErrorCode, now: now, network: network)
    }

    init(aliasCard bytes: [UInt8], at now: UInt64, network: StacksNetwork) {
        var fields: [(String, FieldValue)] = [
            ("principal", .absent), ("alias", .absent), ("display_name", .absent), ("issued_at", .absent),
            ("expires_at", .absent), ("nonce", .absent), ("domain", .absent), ("signature", .absent),
        ]
        var failure: AliasCardError?
        var decoded = false
        do throws(AliasCardError) {
            let card = try AliasCard(serialized: bytes)
            decoded = true
            fields = [
                ("principal", .text(card.principal.description)),
                ("alias", .text(card.alias)),
                ("display_name", .text(card.displayName)),
                ("issued_at", .time(card.issuedAt)),
                ("expires_at", .time(card.expiresAt)),
                ("nonce", .bytes(card.nonce)),
                ("domain", .text(card.domain)),
                ("signature", .bytes(card.signature.bytes)),
            ]
            try card.verify(at: now, network: network)
        } catch {
            failure = error
        }
        self.init(
            kind: "alias_card", fields: fields, decoded: decoded, error: failure?.description,
            errorCode: nil, now: now, network: network)
    }

    private init(
        kind: String, fields: [(key: String, value: FieldValue)], decoded: Bool, error: String?,
        errorCode: ProtocolErrorCode?, now: UInt64, network: StacksNetwork
    ) {
        self.kind = kind
        self.fields = fields
        self.decoded = decoded
        self.error = error
        self.errorCode = errorCode
        self.now = now
        self.network = network
    }

    var isValid: Bool { error == nil }

    var jsonObject: [String: Any] {
        var object: [String: Any] = [
            "kind": kind,
            "valid": isValid,
            "error": error.map { $0 as Any } ?? NSNull(),
            "checked_at": NSNumber(value: now),
            "network": network.rawValue,
        ]
        if kind == "attestation" {
            object["error_code"] = errorCode.map { NSNumber(value: $0.rawValue) as Any } ?? NSNull()
        }
        for (key, value) in fields { object[key] = value.json }
        return object
    }

    var text: String {
        let title = kind == "attestation" ? "attestation" : "alias card"
        var lines = [title + (decoded ? " v1" : " (undecodable)")]
        if decoded {
            lines += aligned(fields.map { ($0.key.replacingOccurrences(of: "_", with: " "), $0.value.text) })
        }
        let moment = "at \(now) (\(FieldValue.iso8601(now))), \(network) peer"
        if let error {
            lines.append("INVALID \(moment): \(error)" + (errorCode.map { " [\($0.rawValue) \($0)]" } ?? ""))
        } else {
            lines.append("VALID \(moment)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// A decoded field, printable as text or JSON.
private enum FieldValue {
    case text(String)
    case bytes([UInt8])
    case number(UInt64)
    case time(UInt64)
    case bool(Bool)
    case list([String])
    case code(ProtocolErrorCode)
    case absent

    var json: Any {
        switch self {
        case .text(let text): return text
        case .bytes(let bytes): return Hex.encode(bytes)
        case .number(let value), .time(let value): return NSNumber(value: value)
        case .bool(let value): return value
        case .list(let values): return values
        case .code(let code): return NSNumber(value: code.rawValue)
        case .absent: return NSNull()
        }
    }

    var text: String {
        switch self {
        case .text(let text): return text
        case .bytes(let bytes): return bytes.isEmpty ? "(empty)" : "\(Hex.encode(bytes)) (\(bytes.count) bytes)"
        case .number(let value): return "\(value)"
        case .time(let value): return "\(value) (\(Self.iso8601(value)))"
        case .bool(let value): return "\(value)"
        case .list(let values): return values.isEmpty ? "(none)" : values.joined(separator: ", ")
        case .code(let code): return "\(code.rawValue) \(code)"
        case .absent: return "(absent)"
        }
    }

    static func iso8601(_ seconds: UInt64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(seconds)))
    }
}

/// A control message's protocol name, type number and fields, for display.
private struct MessageDescription {
    let name: String
    let type: UInt64
    let fields: [(key: String, value: FieldValue)]

    init(_ message: ControlMessage) {
        func code(_ code: ProtocolErrorCode?) -> FieldValue { code.map(FieldValue.code) ?? .absent }
        switch message {
        case .hello(let hello):
            (name, type) = ("HELLO", 0x01)
            fields = [
                ("version", .number(hello.version)), ("node_public_key", .bytes(hello.nodePublicKey)),
                ("nonce", .bytes(hello.nonce)), ("timestamp", .time(hello.timestamp)),
                ("visibility", .text("\(hello.visibility)")), ("capabilities", .list(hello.capabilities)),
            ]
        case .auth(let attestation, let handshakeData):
            (name, type) = ("AUTH", 0x02)
            fields = [("attestation_bytes", .bytes(attestation)), ("handshake_data", .bytes(handshakeData))]
        case .authOK(let principal, let sessionID):
            (name, type) = ("AUTH_OK", 0x03)
            fields = [("principal", .text(principal)), ("session_id", .bytes(sessionID))]
        case .authFail(let errorCode, let reason):
            (name, type) = ("AUTH_FAIL", 0x04)
            fields = [("code", code(errorCode)), ("reason", reason.map(FieldValue.text) ?? .absent)]
        case .openStream(let streamID, let label):
            (name, type) = ("OPEN_STREAM", 0x10)
            fields = [("stream_id", .number(streamID)), ("label", label.map(FieldValue.text) ?? .absent)]
        case .closeStream(let streamID, let errorCode):
            (name, type) = ("CLOSE_STREAM", 0x11)
            fields = [("stream_id", .number(streamID)), ("code", code(errorCode))]
        case .streamData(let streamID, let data, let fin):
            (name, type) = ("STREAM_DATA", 0x12)
            fields = [("stream_id", .number(streamID)), ("data", .bytes(data)), ("fin", .bool(fin))]
        case .windowUpdate(let streamID, let credit):
            (name, type) = ("WINDOW_UPDATE", 0x13)
            fields = [("stream_id", .number(streamID)), ("credit", .number(credit))]
        case .ping(let seq, let timestamp):
            (name, type) = ("PING", 0x20)
            fields = [("seq", .number(seq)), ("timestamp", .time(timestamp))]
        case .pong(let seq, let timestamp):
            (name, type) = ("PONG", 0x21)
            fields = [("seq", .number(seq)), ("timestamp", .time(timestamp))]
        case .knock(let token):
            (name, type) = ("KNOCK", 0x30)
            fields = [("token", .bytes(token))]
        case .knockResponse(let accepted):
            (name, type) = ("KNOCK_RESPONSE", 0x31)
            fields = [("accepted", .bool(accepted))]
        case .error(let errorCode, let reason):
            (name, type) = ("ERROR", 0xff)
            fields = [("code", code(errorCode)), ("reason", reason.map(FieldValue.text) ?? .absent)]
        }
    }
}

/// `label  value` lines with the values in one column.
private func aligned(_ rows: [(String, String)]) -> [String] {
    let width = rows.map(\.0.count).max() ?? 0
    return rows.map { "  " + $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }
}
