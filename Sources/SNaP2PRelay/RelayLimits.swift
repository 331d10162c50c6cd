import SNaP2PIdentity

/// What a relay's operator lets it take on. Every limit is checked before anything is allocated
/// for the request it limits; a request over one is refused with its ``RelayReason``.
public struct RelayLimits: Sendable, Hashable {
    /// Reservations held at once (``RelayReason/reservationsFull`` beyond).
    public var reservations: Int
    /// Relayed connections carried at once (``RelayReason/relayFull`` beyond).
    public var relayedConnections: Int
    /// Relayed connections one principal may be an end of at once, as dialer or as reserved peer
    /// (``RelayReason/peerLimit`` beyond).
    public var relayedConnectionsPerPeer: Int
    /// How long one relayed connection may last before the relay cuts it.
    public var connectionDuration: Duration
    /// Bytes one relayed connection may carry, both directions together, before the relay cuts it.
    public var connectionBytes: UInt64
    /// How long a reservation holds before it must be renewed (it also ends with its session).
    public var reservationDuration: Duration
    /// Who may reserve.
    public var reservers: Reservers

    /// Who may hold a reservation on the relay.
    public enum Reservers: Sendable, Hashable {
        /// Any authenticated principal.
        case anyone
        /// Only these principals (``RelayReason/notAllowed`` for others).
        case only(Set<Principal>)

        /// Whether `principal` may reserve.
        public func admit(_ principal: Principal) -> Bool {
            switch self {
            case .anyone: true
            case .only(let principals): principals.contains(principal)
            }
        }
    }

    /// Limits for a community relay that carries sessions until they upgrade to a direct path:
    /// 128 reservations, 64 relayed connections (4 per peer), each for up to 10 minutes and
    /// 256 MiB, reservations renewed hourly, anyone may reserve.
    public init(
        reservations: Int = 128,
        relayedConnections: Int = 64,
        relayedConnectionsPerPeer: Int = 4,
        connectionDuration: Duration = .seconds(600),
        connectionBytes: UInt64 = 256 << 20,
        reservationDuration: Duration = .seconds(3600),
        reservers: Reservers = .anyone
    ) {
        self.reservations = reservations
        self.relayedConnections = relayedConnections
        self.relayedConnectionsPerPeer = relayedConnectionsPerPeer
        self.connectionDuration = connectionDuration
        self.connectionBytes = connectionBytes
        self.reservationDuration = reservationDuration
        self.reservers = reservers
    }
}
