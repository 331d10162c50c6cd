import SNaP2PIdentity

/// How much one listening peer takes on at once. Each limit refuses the new thing and never
/// touches what is already admitted.
public struct ResourceLimits: Sendable, Hashable {
    /// Connections at once, from TCP accept to close (handshaking or established).
    public var sessions: Int
    /// Connections at once from one IP address.
    public var sessionsPerAddress: Int
    /// Established sessions at once with one authenticated principal.
    public var sessionsPerPrincipal: Int
    /// Connections still in their handshake at once (before AUTH_OK).
    public var handshakes: Int
    /// Stream bytes received and not yet read by the application, all sessions of the peer
    /// together. Over it, sessions holding unread bytes stop reading from their sockets
    /// (backpressure) until the applications catch up; nothing is dropped.
    public var bufferedBytes: Int

    /// Defaults that cap what the open-file limit does not and never get in the way of one busy
    /// client (a load test from one address): 65,536 connections, 4,096 handshakes in flight, 1 GiB
    /// of unread stream data, no limit per address or principal (`Int.max`). A public node sets
    /// tighter ones.
    public init(
        sessions: Int = 65_536,
        sessionsPerAddress: Int = .max,
        sessionsPerPrincipal: Int = .max,
        handshakes: Int = 4096,
        bufferedBytes: Int = 1 << 30
    ) {
        self.sessions = sessions
        self.sessionsPerAddress = sessionsPerAddress
        self.sessionsPerPrincipal = sessionsPerPrincipal
        self.handshakes = handshakes
        self.bufferedBytes = bufferedBytes
    }
}

/// The listener's count of what it holds against its ``ResourceLimits``: a pure value, kept
/// behind a lock by the transport, keyed by whatever identifies a connection there. Each release
/// happens at most once per connection whatever order the transport reports events in, so a
/// connection that fails anywhere (before its handshake, during it, or after) frees everything.
public struct SessionLedger<ConnectionID: Hashable & Sendable>: Sendable {
    /// Which limit refused a connection or session.
    public enum Refusal: String, Sendable, Hashable {
        case sessions = "too many sessions"
        case sessionsPerAddress = "too many sessions from this address"
        case sessionsPerPrincipal = "too many sessions with this principal"
        case handshakes = "too many handshakes in progress"
    }

    private struct Entry: Sendable {
        let address: String
        var handshaking = true
        var principal: Principal?
    }

    /// The limits counted against.
    public let limits: ResourceLimits
    private var connections: [ConnectionID: Entry] = [:]
    /// Connections in their handshake.
    public private(set) var handshakes = 0
    private var perAddress: [String: Int] = [:]
    private var perPrincipal: [Principal: Int] = [:]

    /// An empty ledger.
    public init(limits: ResourceLimits) {
        self.limits = limits
    }

    /// Connections held, handshaking or established.
    public var sessions: Int { connections.count }

    /// A new connection from `address`, before anything is set up for it: admitted (counted as a
    /// session and a handshake) or refused by the first limit it would break.
    public mutating func admit(_ connection: ConnectionID, from address: String) -> Refusal? {
        guard connections[connection] == nil else { return nil }
        guard connections.count < limits.sessions else { return .sessions }
        guard perAddress[address, default: 0] < limits.sessionsPerAddress else { return .sessionsPerAddress }
        guard handshakes < limits.handshakes else { return .handshakes }
        connections[connection] = Entry(address: address)
        handshakes += 1
        perAddress[address, default: 0] += 1
        return nil
    }

    /// The connection's handshake ended, established or not.
    public mutating func handshakeEnded(_ connection: ConnectionID) {
        guard connections[connection]?.handshaking == true else { return }
        connections[connection]?.handshaking = false
        handshakes -= 1
    }

    /// The connection authenticated as `principal`: its session counts against that principal,
    /// or is refused when the principal already has its limit.
    public mutating func admitSession(_ connection: ConnectionID, of principal: Principal) -> Refusal? {
        guard let entry = connections[connection], entry.principal == nil else { return nil }
        guard perPrincipal[principal, default: 0] < limits.sessionsPerPrincipal else { return .sessionsPerPrincipal }
        connections[connection]?.principal = principal
        perPrincipal[principal, default: 0] += 1
        return nil
    }

    /// The connection closed: everything it held is released.
    public mutating func closed(_ connection: ConnectionID) {
        guard let entry = connections.removeValue(forKey: connection) else { return }
        if entry.handshaking { handshakes -= 1 }
        Self.decrement(&perAddress, entry.address)
        if let principal = entry.principal { Self.decrement(&perPrincipal, principal) }
    }

    /// Connections held from `address`.
    public func sessions(from address: String) -> Int { perAddress[address, default: 0] }

    /// Sessions held with `principal`.
    public func sessions(with principal: Principal) -> Int { perPrincipal[principal, default: 0] }

    private static func decrement<Key: Hashable>(_ counts: inout [Key: Int], _ key: Key) {
        guard let count = counts[key] else { return }
        counts[key] = count > 1 ? count - 1 : nil
    }
}
