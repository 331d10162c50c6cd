import SNaP2PIdentity

/// A relay's books: who holds a reservation on which session, which relayed connections it
/// carries and how many bytes each has forwarded, checked against ``RelayLimits``. Pure: the
/// caller supplies the time (Unix seconds) and carries out what the answers say.
public struct RelayLedger: Sendable {
    /// The relay's own number for a session a reservation was made on.
    public typealias SessionID = UInt64

    /// One relayed connection.
    public struct CircuitID: Hashable, Sendable, CustomStringConvertible {
        let rawValue: UInt64
        /// The number, for logs.
        public var description: String { "\(rawValue)" }
    }

    /// A relayed connection's ends and the bytes it has forwarded, both directions together.
    public struct Circuit: Sendable, Hashable {
        /// The dialer.
        public let source: Principal
        /// The reserved peer.
        public let target: Principal
        /// Bytes forwarded so far.
        public internal(set) var byteCount: UInt64
    }

    /// A connect request that may go ahead: its circuit, and the session that holds the target's
    /// reservation (where the relay opens the stream to the target).
    public struct OpenedCircuit: Sendable, Hashable {
        /// The circuit counted against the limits until ``closeCircuit(_:)``.
        public let id: CircuitID
        /// The session of the target's reservation.
        public let session: SessionID
    }

    private struct Reservation {
        var session: SessionID
        var expiresAt: UInt64
    }

    /// The limits in force.
    public let limits: RelayLimits
    private var reservations: [Principal: Reservation] = [:]
    private var circuits: [CircuitID: Circuit] = [:]
    private var circuitsPerPeer: [Principal: Int] = [:]
    private var nextCircuit: UInt64 = 0
    /// Bytes every circuit has forwarded, closed ones included.
    public private(set) var forwardedByteCount: UInt64 = 0

    /// Empty books under `limits`.
    public init(limits: RelayLimits) {
        self.limits = limits
    }

    /// Reservations held (expired ones included until they are replaced or purged).
    public var reservationCount: Int { reservations.count }
    /// Relayed connections carried.
    public var circuitCount: Int { circuits.count }

    /// Reserves (or renews) a slot for `principal` on `session` until the returned expiry; a
    /// reservation the principal held on another session moves to this one.
    public mutating func reserve(_ principal: Principal, session: SessionID, now: UInt64) -> Result<UInt64, RelayRefusal> {
        guard limits.reservers.admit(principal) else {
            return .failure(RelayRefusal(.notAllowed, message: "this relay does not take reservations from \(principal)"))
        }
        if reservations[principal] == nil, reservations.count >= limits.reservations {
            reservations = reservations.filter { $0.value.expiresAt > now }
            guard reservations.count < limits.reservations else {
                return .failure(RelayRefusal(.reservationsFull, message: "this relay holds \(limits.reservations) reservations"))
            }
        }
        let (seconds, _) = limits.reservationDuration.components
        let expiresAt = now + UInt64(max(1, seconds))
        reservations[principal] = Reservation(session: session, expiresAt: expiresAt)
        return .success(expiresAt)
    }

    /// The session ended: the reservations made on it go. Its circuits end on their own.
    public mutating func sessionEnded(_ session: SessionID) {
        reservations = reservations.filter { $0.value.session != session }
    }

    /// Counts a relayed connection from `source` to `target` if the target holds a current
    /// reservation and no limit is reached.
    public mutating func openCircuit(from source: Principal, to target: Principal, now: UInt64) -> Result<OpenedCircuit, RelayRefusal> {
        guard let reservation = reservations[target], reservation.expiresAt > now else {
            return .failure(RelayRefusal(.noReservation, message: "\(target) holds no reservation on this relay"))
        }
        guard circuits.count < limits.relayedConnections else {
            return .failure(RelayRefusal(.relayFull, message: "this relay carries \(limits.relayedConnections) relayed connections"))
        }
        for end in [source, target] where circuitsPerPeer[end, default: 0] >= limits.relayedConnectionsPerPeer {
            return .failure(RelayRefusal(.peerLimit, message: "\(end) has \(limits.relayedConnectionsPerPeer) relayed connections"))
        }
        let id = CircuitID(rawValue: nextCircuit)
        nextCircuit += 1
        circuits[id] = Circuit(source: source, target: target, byteCount: 0)
        circuitsPerPeer[source, default: 0] += 1
        circuitsPerPeer[target, default: 0] += 1
        return .success(OpenedCircuit(id: id, session: reservation.session))
    }

    /// Counts `byteCount` bytes about to be forwarded on circuit `id`; false (and nothing counted)
    /// when they would take it over ``RelayLimits/connectionBytes`` or it is closed: cut it.
    public mutating func forward(_ byteCount: Int, on id: CircuitID) -> Bool {
        guard var circuit = circuits[id], UInt64(byteCount) <= limits.connectionBytes - circuit.byteCount else { return false }
        circuit.byteCount += UInt64(byteCount)
        circuits[id] = circuit
        forwardedByteCount += UInt64(byteCount)
        return true
    }

    /// The circuit `id`, while it is open.
    public func circuit(_ id: CircuitID) -> Circuit? { circuits[id] }

    /// Stops counting circuit `id`; returns what it carried (`nil` if it was already closed).
    public mutating func closeCircuit(_ id: CircuitID) -> Circuit? {
        guard let circuit = circuits.removeValue(forKey: id) else { return nil }
        for end in [circuit.source, circuit.target] {
            let remaining = circuitsPerPeer[end, default: 1] - 1
            circuitsPerPeer[end] = remaining > 0 ? remaining : nil
        }
        return circuit
    }
}
