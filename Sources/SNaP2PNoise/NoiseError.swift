/// Why a Noise operation refused to go on. Every case is fatal for the handshake or channel it hit.
public enum NoiseError: Error, Equatable, Sendable {
    /// An AEAD tag did not verify: the bytes were tampered with, or the keys disagree.
    case decryptFailed
    /// A handshake message or ciphertext is shorter than its fixed parts.
    case messageTooShort
    /// The call does not fit the handshake's progress (wrong turn, already failed, not complete).
    case invalidState
    /// The peer's public key produced an all-zero X25519 result, which would give a known key.
    case smallOrderPoint
    /// The 64-bit nonce reached 2^64 - 1; continuing would reuse a nonce.
    case nonceExhausted
    /// A key has the wrong length.
    case invalidKey
}
