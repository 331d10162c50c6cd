/// An `ec` value on the wire. A struct rather than an enum so codes from newer peers survive
/// decoding and can be logged.
public struct ProtocolErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The number on the wire.
    public let rawValue: UInt64

    /// Wraps any number; unknown codes are legal on the wire.
    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// No error; still sent explicitly in CLOSE_STREAM.
    public static let ok = Self(rawValue: 0)
    /// Unspecified failure.
    public static let unknown = Self(rawValue: 1)
    /// Also what the reference raises for an unknown message type.
    public static let versionUnsupported = Self(rawValue: 2)
    /// Authentication failed.
    public static let authFailed = Self(rawValue: 3)
    /// The dialer is not on a private or stealth listener's allowlist.
    public static let notAllowed = Self(rawValue: 4)
    /// Unknown, expired or used-up invite token (spec: ERR_INVITE_INVALID).
    public static let invalidToken = Self(rawValue: 5)
    /// Any attestation failure from the reference (spec: ERR_AUTH_INVALID).
    public static let attestationInvalid = Self(rawValue: 6)
    /// Expired attestation; the reference never sends it (it sends 6).
    public static let attestationExpired = Self(rawValue: 7)
    /// The handshake failed.
    public static let handshakeFailed = Self(rawValue: 8)
    /// OPEN_STREAM for an id already in use.
    public static let streamIDInUse = Self(rawValue: 9)
    /// STREAM_DATA (or WINDOW_UPDATE) for an unknown stream.
    public static let streamNotFound = Self(rawValue: 10)
    /// Data for a stream whose sender already finished it.
    public static let streamClosed = Self(rawValue: 11)
    /// The connection closed.
    public static let connectionClosed = Self(rawValue: 12)
    /// A timeout (e.g. keepalive).
    public static let timeout = Self(rawValue: 13)
    /// A message over a size limit.
    public static let messageTooLarge = Self(rawValue: 14)
    /// A malformed message.
    public static let invalidMessage = Self(rawValue: 15)
    /// The reference's answer to an OPEN_STREAM over its stream limit.
    public static let resourceExhausted = Self(rawValue: 16)
    /// A local abort; the reference sends it when a stream is aborted.
    public static let internalError = Self(rawValue: 17)
    /// A stealth listener was approached without KNOCK.
    public static let inviteRequired = Self(rawValue: 18)
    /// Too many connections from one address.
    public static let rateLimited = Self(rawValue: 19)
    /// An OPEN_STREAM over the stream limit, as the spec asks.
    public static let streamRefused = Self(rawValue: 20)

    private static let names = [
        "OK", "UNKNOWN", "VERSION_UNSUPPORTED", "AUTH_FAILED", "NOT_ALLOWED", "INVALID_TOKEN",
        "ATTESTATION_INVALID", "ATTESTATION_EXPIRED", "HANDSHAKE_FAILED", "STREAM_ID_IN_USE",
        "STREAM_NOT_FOUND", "STREAM_CLOSED", "CONNECTION_CLOSED", "TIMEOUT", "MESSAGE_TOO_LARGE",
        "INVALID_MESSAGE", "RESOURCE_EXHAUSTED", "INTERNAL", "INVITE_REQUIRED", "RATE_LIMITED",
        "STREAM_REFUSED",
    ]

    /// The protocol's upper-case name, e.g. `NOT_ALLOWED`; `CODE_<n>` for codes we do not know.
    public var description: String {
        rawValue < UInt64(Self.names.count) ? Self.names[Int(rawValue)] : "CODE_\(rawValue)"
    }
}
