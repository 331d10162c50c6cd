/// One control message: the CBOR map carried by every frame after the handshake (and by the
/// plaintext KNOCK exchange before it).
public enum ControlMessage: Sendable, Equatable {
    /// `t` 0x01.
    case hello(Hello)
    /// `t` 0x02: `att` serialized attestation, `hd` handshake data (empty in v1).
    case auth(attestation: [UInt8], handshakeData: [UInt8])
    /// `t` 0x03: `p` sender's principal text, `sid` the listener's 32-byte session id.
    case authOK(principal: String, sessionID: [UInt8])
    /// `t` 0x04: `ec`, `r` (omitted when nil or empty).
    case authFail(code: ProtocolErrorCode, reason: String?)
    /// `t` 0x10: `sid`, `l` (omitted when nil or empty).
    case openStream(streamID: UInt64, label: String?)
    /// `t` 0x11: `sid`, `ec` (written whenever non-nil, 0 included).
    case closeStream(streamID: UInt64, code: ProtocolErrorCode?)
    /// `t` 0x12: `sid`, `d`, `f` (written only when true: the sender's half-close).
    case streamData(streamID: UInt64, data: [UInt8], fin: Bool)
    /// `t` 0x13: `sid`, `n` more bytes the receiver grants. Our `fc1` extension (docs/FLOW-CONTROL.md),
    /// sent only to peers whose HELLO advertised `fc1`.
    case windowUpdate(streamID: UInt64, credit: UInt64)
    /// `t` 0x20: `seq`, `ts` unix seconds.
    case ping(seq: UInt64, timestamp: UInt64)
    /// `t` 0x21: `seq` of the ping answered, `ts`.
    case pong(seq: UInt64, timestamp: UInt64)
    /// `t` 0x30: `it` invite token; plaintext, before Noise.
    case knock(token: [UInt8])
    /// `t` 0x31: `a`; plaintext, before Noise.
    case knockResponse(accepted: Bool)
    /// `t` 0xff: `ec`, `r` (omitted when nil or empty).
    case error(code: ProtocolErrorCode, reason: String?)
}

/// The `t` values.
enum MessageType: UInt64 {
    case hello = 0x01, auth = 0x02, authOK = 0x03, authFail = 0x04
    case openStream = 0x10, closeStream = 0x11, streamData = 0x12, windowUpdate = 0x13
    case ping = 0x20, pong = 0x21, knock = 0x30, knockResponse = 0x31, error = 0xff
}

/// Why bytes are not a control message.
public enum ControlMessageDecodingError: Error, Equatable, Sendable {
    /// Not one well-formed CBOR item.
    case cbor(CBORDecodingError)
    /// Well-formed CBOR, but not a map.
    case notAMap
    /// A `t` this implementation does not know. Inside a session the caller drops the message
    /// (as the reference does), which keeps room for negotiated extensions.
    case unknownType(UInt64)
    /// A required field is absent.
    case missingField(String)
    /// A field has the wrong CBOR type or an out-of-range value.
    case invalidField(String)
}
