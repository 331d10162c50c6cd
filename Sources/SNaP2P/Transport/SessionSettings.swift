import Logging
import SNaP2PIdentity
import SNaP2PNoise
import SNaP2PSession

/// What one connection's handler needs from its ``Peer``: the handshake configuration (with the
/// attestation current when the connection started) and the session limits.
struct SessionSettings: Sendable {
    var handshake: HandshakeConfiguration
    var handshakeTimeout: Duration
    var keepalive: PeerConfiguration.Keepalive
    var maximumStreams: Int
    var flowControl: Bool
    var receiveBuffer: Int
    var logger: Logger

    var isDialer: Bool { handshake.role == .initiator }
}
