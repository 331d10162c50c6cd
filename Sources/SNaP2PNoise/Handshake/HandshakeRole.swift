/// Which side of a connection this peer is: the dialer initiates Noise, the listener responds.
public enum HandshakeRole: Sendable, Hashable {
    /// The dialer: writes Noise messages 1 and 3.
    case initiator
    /// The listener: writes Noise message 2.
    case responder
}
