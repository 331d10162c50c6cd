/// Why the other side broke the `relay-1` protocol; the stream is closed.
public enum RelayProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A message's length prefix declares more than ``RelayProtocol/maximumMessageLength``.
    case messageTooLarge(length: Int)
    /// A message is not what the protocol says (the reason names the field).
    case malformed(String)
    /// A message with a version this side does not speak.
    case unsupportedVersion(UInt64)
    /// A message of a known type arrived where another was due.
    case unexpected(type: String)
    /// The stream ended where a message was due.
    case endedEarly

    /// What broke the protocol, in a sentence fragment.
    public var description: String {
        switch self {
        case .messageTooLarge(let length):
            "a relay message of \(length) bytes (at most \(RelayProtocol.maximumMessageLength) are allowed)"
        case .malformed(let reason): reason
        case .unsupportedVersion(let version): "relay protocol version \(version) (this side speaks \(RelayProtocol.version))"
        case .unexpected(let type): "an unexpected \"\(type)\" relay message"
        case .endedEarly: "the relay stream ended before a message"
        }
    }
}
