import SNaP2PIdentity
import SNaP2PNoise
import SNaP2PWire

/// What the transport must do after feeding the handshake machine, in order.
public enum HandshakeAction: Sendable {
    /// Write this frame body (the transport adds the varint length prefix).
    case send([UInt8])
    /// The peer is authenticated: hand the connection to the session.
    case established(EstablishedSession)
    /// Close the connection once the frames sent before this action are written.
    case close(HandshakeError)
}

/// A finished handshake: keys, the authenticated peer, and anything that already arrived for the session.
public struct EstablishedSession: Sendable {
    /// Our side.
    public let role: HandshakeRole
    /// The encrypted channel, its nonces already past the handshake's HELLO, AUTH and AUTH_OK.
    public var cipher: SessionCipher
    /// Who we are (from our attestation).
    public let localPrincipal: Principal
    /// Who the peer is: verified attestation, bound to the Noise static key and authorized.
    public let remotePrincipal: Principal
    /// The peer's verified attestation.
    public let remoteAttestation: NodeKeyAttestation
    /// The peer's HELLO: node key, visibility, capability flags.
    public let remoteHello: Hello
    /// The listener's 32 random bytes, echoed by the dialer.
    public let sessionID: [UInt8]
    /// The Noise handshake hash `h`: the channel-binding value both sides share.
    public let handshakeHash: [UInt8]
    /// The Noise key schedule the handshake negotiated: standard between Swift peers, reference
    /// with the TypeScript implementation.
    public let noiseSchedule: NoiseKeySchedule
    /// The peer's alias card when both sides announced `alias1` and it sent one: the card if it
    /// verified for this peer's principal, network and our clock, else why it was dropped (the
    /// session goes on either way).
    public let remoteAliasCard: Result<AliasCard, AliasCardError>?
    /// The address the peer says it sees for us, when both sides announced `obs1` and it had one.
    public let observedAddress: ObservedAddress?
    /// Bytes received after the last handshake frame: the start of the session's own traffic
    /// (only when the machine was fed with ``HandshakeStateMachine/receive(bytes:now:)``).
    public var bufferedBytes: [UInt8]

    /// True for the dialer: the reference listener drops bytes that arrive in the same read as the
    /// dialer's AUTH_OK (PROTOCOL.md §6), so the dialer sends nothing more until the listener's
    /// first frame (its PING) has arrived.
    public var mustWaitForPeerBeforeSending: Bool { role == .initiator }
}
