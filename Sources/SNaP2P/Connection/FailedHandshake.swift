/// An inbound connection whose handshake did not complete: refused by this listener (a bad
/// attestation, an unknown invite token, a Noise message that did not authenticate), refused by
/// the dialer, cut off, or timed out. The dialer was told why where the protocol allows it.
public struct FailedHandshake: Sendable {
    /// The dialer's IP address and port as text (`[ipv6]:port` for IPv6), when known.
    public let remoteAddress: String?
    /// Why the handshake failed: always ``SNaP2PError/handshakeFailed(code:reason:)``.
    public let error: SNaP2PError
}
