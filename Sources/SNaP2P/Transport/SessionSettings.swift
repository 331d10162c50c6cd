import Logging
import SNaP2PIdentity
import SNaP2PSession

/// What one connection's handler needs from its ``Peer``: the session's configuration (with the
/// attestation current when the connection started), where it logs, who serves labelled streams,
/// where received alias cards go, where metrics go, and the peer's discovery module.
struct SessionSettings: Sendable {
    var session: SessionConfiguration
    var streamProtocols: StreamProtocols
    /// Where received alias cards are kept, shared by the peer's connections.
    var aliasBook: AliasBook
    /// The peer's budget of unread stream bytes, shared by its connections.
    var bufferBudget: BufferBudget
    var logger: Logger
    var metrics: PeerMetrics
    /// The peer's PX-1 module, told of each session that is established.
    var discovery: DiscoveryService
    /// What carries the session's bytes.
    var transport: SessionTransport = .socket
    /// The session of a direct upgrade: streams the remote opens wait until a relayed connection
    /// is carried onto it (``SessionHandler/carry(_:into:)``), instead of reaching a connection
    /// nobody reads.
    var holdsIncomingStreams = false
}

/// What carries a session's bytes: its own socket (TCP), or a relayed stream bridged to a local
/// socket pair (``RelayedStreamBridge``). The handler works the same over either.
enum SessionTransport: Sendable {
    case socket
    /// Relayed by `via`; `origin` says where this side reaches the relay, for a direct upgrade.
    case relayed(via: Principal, relayAddress: String?, origin: DirectUpgrade.Origin)

    /// Whether the handler's socket is the connection's own (its local address means something).
    var isSocket: Bool {
        if case .socket = self { true } else { false }
    }

    /// Where this side reaches the relay, for a relayed session.
    var relayOrigin: DirectUpgrade.Origin? {
        if case .relayed(_, _, let origin) = self { origin } else { nil }
    }

    /// The connection's path, given the address of the socket the handler sees.
    func path(remoteAddress: String?) -> ConnectionPath {
        switch self {
        case .socket: .direct(remoteAddress: remoteAddress)
        case .relayed(let relay, let relayAddress, _): .relayed(via: relay, relayAddress: relayAddress)
        }
    }
}
