import SNaP2PIdentity
import SNaP2PWire

/// One message of the `relay-1` protocol (docs/RELAY.md).
///
/// On the wire: one frame, `varint(length) || canonical CBOR map` with a text `type` and `v: 1`.
/// A stream carries one request and its answer; after an `accepted` answer to `connect` (or to
/// `incoming`) the stream carries the relayed session's bytes and no more messages.
public enum RelayMessage: Sendable, Hashable {
    /// Peer to relay: keep a slot for my principal on this session (`{"type": "reserve", "v": 1}`);
    /// sent again before the expiry to renew.
    case reserve
    /// Relay to peer: the reservation holds until `expiresAt` (Unix seconds) or the session ends
    /// (`{"expires": uint, "type": "reserved", "v": 1}`).
    case reserved(expiresAt: UInt64)
    /// Dialer to relay: connect this stream to `principal`, who holds a reservation
    /// (`{"type": "connect", "v": 1, "principal": text}`).
    case connect(Principal)
    /// Relay to reserved peer, on a stream the relay opens: `principal` asks for a relayed session
    /// (`{"type": "incoming", "v": 1, "principal": text}`).
    case incoming(Principal)
    /// The answer to `connect` or `incoming`: from the next byte on, the stream is the relayed session.
    case accepted
    /// The answer to any request when it cannot be served.
    case refused(RelayRefusal)

    /// The `type` on the wire.
    public var type: String {
        switch self {
        case .reserve: "reserve"
        case .reserved: "reserved"
        case .connect: "connect"
        case .incoming: "incoming"
        case .accepted: "accepted"
        case .refused: "refused"
        }
    }

    /// The framed message.
    public func encoded() -> [UInt8] {
        var map: [String: CBOR] = ["type": .text(type), "v": .unsigned(RelayProtocol.version)]
        switch self {
        case .reserve, .accepted:
            break
        case .reserved(let expiresAt):
            map["expires"] = .unsigned(expiresAt)
        case .connect(let principal), .incoming(let principal):
            map["principal"] = .text(principal.description)
        case .refused(let refusal):
            map["reason"] = .text(refusal.reason.rawValue)
            if let message = refusal.message { map["message"] = .text(String(Self.truncated(message))) }
        }
        return Framing.frame(CBOR.map(map).encoded())
    }

    /// Reads a message frame's body, checking every field. Unknown keys are ignored so a later
    /// version can add optional fields.
    public init(decoding body: [UInt8]) throws(RelayProtocolError) {
        let item: CBOR
        do {
            item = try CBOR.decode(body)
        } catch {
            throw .malformed("a relay message is not valid CBOR (\(error))")
        }
        guard let map = item.map else { throw .malformed("a relay message is not a CBOR map") }
        guard let version = map["v"]?.uint else { throw .malformed("a relay message has no version \"v\"") }
        guard version == RelayProtocol.version else { throw .unsupportedVersion(version) }
        guard let type = map["type"]?.text else { throw .malformed("a relay message has no text \"type\"") }
        switch type {
        case "reserve":
            self = .reserve
        case "reserved":
            guard let expiresAt = map["expires"]?.uint else { throw .malformed("\"reserved\" has no \"expires\"") }
            self = .reserved(expiresAt: expiresAt)
        case "connect":
            self = .connect(try Self.principal(in: map, type: type))
        case "incoming":
            self = .incoming(try Self.principal(in: map, type: type))
        case "accepted":
            self = .accepted
        case "refused":
            guard let reason = map["reason"]?.text, !reason.isEmpty, reason.utf8.count <= 64 else {
                throw .malformed("\"refused\" has no \"reason\" of 1-64 bytes")
            }
            let message: String?
            switch map["message"] {
            case nil:
                message = nil
            case .text(let text) where text.utf8.count <= RelayProtocol.maximumMessageTextLength:
                message = text
            default:
                throw .malformed("\"refused\" has a \"message\" that is not text of at most \(RelayProtocol.maximumMessageTextLength) bytes")
            }
            self = .refused(RelayRefusal(RelayReason(rawValue: reason), message: message))
        default:
            throw .malformed("unknown relay message type \"\(type.prefix(32))\"")
        }
    }

    private static func principal(in map: [String: CBOR], type: String) throws(RelayProtocolError) -> Principal {
        guard let text = map["principal"]?.text else { throw .malformed("\"\(type)\" has no text \"principal\"") }
        do {
            return try Principal(text)
        } catch {
            throw .malformed("\"\(type)\" names no valid principal (\(error))")
        }
    }

    /// The longest prefix of whole characters that fits the wire limit.
    private static func truncated(_ text: String) -> Substring {
        var length = 0
        let end = text.firstIndex { character in
            length += character.utf8.count
            return length > RelayProtocol.maximumMessageTextLength
        }
        return text[..<(end ?? text.endIndex)]
    }
}
