import Logging
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
}
