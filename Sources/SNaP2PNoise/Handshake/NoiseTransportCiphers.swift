/// The two cipher states a finished handshake hands to the transport, already oriented for this side.
public struct NoiseTransportCiphers: Sendable {
    /// Encrypts what this side sends.
    public var sender: NoiseCipherState
    /// Decrypts what this side receives.
    public var receiver: NoiseCipherState

    /// Pairs a sending and a receiving cipher state.
    public init(sender: NoiseCipherState, receiver: NoiseCipherState) {
        self.sender = sender
        self.receiver = receiver
    }
}
