import Logging
import SNaP2PSession

/// What one connection's handler needs from its ``Peer``: the session's configuration (with the
/// attestation current when the connection started), where it logs, and who serves labelled streams.
struct SessionSettings: Sendable {
    var session: SessionConfiguration
    var streamProtocols: StreamProtocols
    var logger: Logger
}
