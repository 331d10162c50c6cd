import Logging
import SNaP2PSession

/// What one connection's handler needs from its ``Peer``: the session's configuration (with the
/// attestation current when the connection started), where it logs, who serves labelled streams,
/// and where received alias cards go.
struct SessionSettings: Sendable {
    var session: SessionConfiguration
    var streamProtocols: StreamProtocols
    /// Where received alias cards are kept, shared by the peer's connections.
    var aliasBook: AliasBook
    var logger: Logger
}
