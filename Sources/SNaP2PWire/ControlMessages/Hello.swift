/// HELLO, the first message after Noise. Decoding checks field types only; the session checks
/// values (version 1, 32-byte key and nonce, clock skew), since that is where policy lives.
public struct Hello: Sendable, Hashable {
    /// `v`: protocol version, 1.
    public var version: UInt64
    /// `pk`: the Ed25519 node public key (32 bytes).
    public var nodePublicKey: [UInt8]
    /// `n`: 32 random bytes.
    public var nonce: [UInt8]
    /// `ts`: unix seconds.
    public var timestamp: UInt64
    /// `vis`: the sender's visibility.
    public var visibility: Visibility
    /// `cap`: capability flags, e.g. `fc1` for flow control; the reference sends none.
    public var capabilities: [String]

    /// Makes a HELLO.
    public init(
        version: UInt64 = 1,
        nodePublicKey: [UInt8],
        nonce: [UInt8],
        timestamp: UInt64,
        visibility: Visibility,
        capabilities: [String] = []
    ) {
        self.version = version
        self.nodePublicKey = nodePublicKey
        self.nonce = nonce
        self.timestamp = timestamp
        self.visibility = visibility
        self.capabilities = capabilities
    }
}
