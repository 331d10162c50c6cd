import SNaP2PIdentity

/// Where the handshake draws its randomness (Noise ephemeral key, HELLO nonce, session id).
///
/// Injected so a recorded session can be replayed draw for draw; production code uses
/// ``SystemRandomSource``.
public protocol RandomSource: Sendable {
    /// `count` fresh random bytes.
    mutating func randomBytes(count: Int) -> [UInt8]
}

/// The operating system's cryptographically secure generator.
public struct SystemRandomSource: RandomSource {
    /// A source backed by `SystemRandomNumberGenerator`.
    public init() {}

    public mutating func randomBytes(count: Int) -> [UInt8] {
        SecureRandom.bytes(count)
    }
}
