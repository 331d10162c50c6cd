import Logging
import SNaP2PSession

/// What one connection's handler needs from its ``Peer``: the session's configuration (with the
/// attestation current when the connection started), where it logs, who serves labelled streams,
/// where received alias cards go, and where metrics go.
struct SessionSettings: Sendable {
    var session: SessionConfiguration
    var streamProtocols: StreamProtocols
    /// Where received alias cards are kept, shared by the peer's connections.
    var aliasBook: AliasBook
    /// The peer's budget of unread stream bytes, shared by its connections.
    var bufferBudget: BufferBudget
    var logger: Logger
    var metrics: PeerMetrics
}
