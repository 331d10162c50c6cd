/// A stream's number, unique within a session while the stream is open.
public typealias StreamID = UInt64

/// Which side of the session we are; it decides which stream ids we may open, so both sides can
/// open streams at once without ever picking the same id.
public enum StreamRole: Sendable, Hashable {
    /// The initiator: opens even ids 0, 2, 4, ...
    case dialer
    /// The responder: opens odd ids 1, 3, 5, ...
    case listener

    /// The first id this side opens.
    public var firstStreamID: StreamID {
        switch self {
        case .dialer: 0
        case .listener: 1
        }
    }

    /// Whether `id` has the parity this side opens.
    public func opens(_ id: StreamID) -> Bool {
        id & 1 == firstStreamID
    }
}
