/// Why a relay (or a reserved peer) refused a request: a short code on the wire (`reason`) with an
/// optional sentence for people beside it (`message`). Unknown codes are kept as they came.
public struct RelayReason: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The code as sent, e.g. `no-reservation`.
    public let rawValue: String

    /// A reason with this code.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// The code.
    public var description: String { rawValue }

    /// The peer does not serve the relay protocol (it is no relay, or has no reservation here).
    public static let notARelay = RelayReason(rawValue: "not-a-relay")
    /// The relay's operator does not let this principal reserve.
    public static let notAllowed = RelayReason(rawValue: "not-allowed")
    /// The relay holds as many reservations as its operator allows.
    public static let reservationsFull = RelayReason(rawValue: "reservations-full")
    /// Nobody holds a current reservation for the principal asked for.
    public static let noReservation = RelayReason(rawValue: "no-reservation")
    /// The relay carries as many relayed connections as its operator allows.
    public static let relayFull = RelayReason(rawValue: "relay-full")
    /// One end already has as many relayed connections as the operator allows per peer.
    public static let peerLimit = RelayReason(rawValue: "peer-limit")
    /// The reserved peer did not take the connection (it refused, or did not answer in time).
    public static let unreachable = RelayReason(rawValue: "unreachable")
    /// The request broke the protocol (the message says how).
    public static let malformed = RelayReason(rawValue: "malformed")
}

/// A refusal as a `refused` message carries it.
public struct RelayRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// The code.
    public var reason: RelayReason
    /// A sentence for people (at most ``RelayProtocol/maximumMessageTextLength`` bytes on the wire).
    public var message: String?

    /// A refusal for `reason`, explained by `message`.
    public init(_ reason: RelayReason, message: String? = nil) {
        self.reason = reason
        self.message = message
    }

    /// `code: message`, or the code alone.
    public var description: String { message.map { "\(reason): \($0)" } ?? reason.rawValue }
}
