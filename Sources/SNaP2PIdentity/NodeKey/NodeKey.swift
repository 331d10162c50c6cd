import Crypto
import SNaP2PWire

/// A node's transport identity: an Ed25519 seed whose public key the wallet attests, and the X25519
/// Noise static key derived from the same seed.
///
/// Deriving the Noise key from the seed (rather than drawing it separately) is what lets a peer check
/// that the Noise handshake partner is the node the attestation names: the Montgomery form of the
/// attested Ed25519 public key must equal the remote Noise static key.
public struct NodeKey: Sendable, CustomStringConvertible {
    /// The 32-byte Ed25519 public key, as carried in HELLO and attestations.
    public let publicKey: [UInt8]
    /// The X25519 key for Noise: clamp(SHA-512(seed)[0..<32]), the Ed25519 secret scalar.
    public let noiseStaticKey: Curve25519.KeyAgreement.PrivateKey

    /// The node key of a 32-byte Ed25519 seed.
    public init(seed: [UInt8]) throws(NodeKeyError) {
        guard seed.count == 32 else { throw .invalidSeedLength(seed.count) }
        // Any 32 bytes are an Ed25519 seed.
        self.init(signingKey: try! Curve25519.Signing.PrivateKey(rawRepresentation: seed), seed: seed)
    }

    /// A node key from a fresh random seed.
    public static func generate() -> NodeKey {
        let signingKey = Curve25519.Signing.PrivateKey()
        var seed = [UInt8](signingKey.rawRepresentation)
        defer { secureZero(&seed) }
        return NodeKey(signingKey: signingKey, seed: seed)
    }

    private init(signingKey: Curve25519.Signing.PrivateKey, seed: [UInt8]) {
        publicKey = [UInt8](signingKey.publicKey.rawRepresentation)
        var scalar = [UInt8](SHA512.hash(data: seed).prefix(32))
        defer { secureZero(&scalar) }
        scalar[0] &= 248
        scalar[31] &= 127
        scalar[31] |= 64
        // Any 32 bytes are an X25519 private key.
        noiseStaticKey = try! Curve25519.KeyAgreement.PrivateKey(rawRepresentation: scalar)
    }

    /// The X25519 public key of an Ed25519 public key: u = (1 + y) / (1 - y) mod 2^255 - 19.
    ///
    /// Refuses keys a peer could use to dodge the binding: a y that is not reduced (>= p), a y that is
    /// on no curve point, and the degenerate points y = 1 (identity, division by zero) and y = -1 (u = 0).
    public static func montgomeryPublicKey(fromEd25519 publicKey: [UInt8]) throws(NodeKeyError) -> [UInt8] {
        guard publicKey.count == 32 else { throw .invalidPublicKeyLength(publicKey.count) }
        guard let y = Field25519(canonicalLittleEndian: publicKey) else { throw .nonCanonicalPublicKey }
        let numerator = Field25519.one + y
        let denominator = Field25519.one - y
        guard !numerator.isZero, !denominator.isZero else { throw .degeneratePublicKey }
        // x^2 = (y^2 - 1) / (d y^2 + 1) must have a root; the denominator is never 0 since d is a non-square.
        let ySquared = y.squared()
        guard ((ySquared - .one) * (edwardsD * ySquared + .one)).isSquare else { throw .notOnCurve }
        return (numerator * denominator.inverted()).bytes
    }

    /// Ed25519's curve constant d = -121665 / 121666.
    private static let edwardsD = (Field25519.zero - Field25519(121_665)) * Field25519(121_666).inverted()

    /// Names the public key only.
    public var description: String { "NodeKey(\(Hex.encode(publicKey)))" }
}

/// Why a node key or an Ed25519 public key was refused.
public enum NodeKeyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An Ed25519 seed must be 32 bytes.
    case invalidSeedLength(Int)
    /// An Ed25519 public key must be 32 bytes.
    case invalidPublicKeyLength(Int)
    /// The y-coordinate is not below 2^255 - 19.
    case nonCanonicalPublicKey
    /// No point of the curve has this y-coordinate.
    case notOnCurve
    /// The identity (y = 1) or the point of order 2 (y = -1), which map to no usable X25519 key.
    case degeneratePublicKey

    public var description: String {
        switch self {
        case .invalidSeedLength(let count): return "node key seed must be 32 bytes, got \(count)"
        case .invalidPublicKeyLength(let count): return "Ed25519 public key must be 32 bytes, got \(count)"
        case .nonCanonicalPublicKey: return "Ed25519 public key is not canonically encoded"
        case .notOnCurve: return "Ed25519 public key is not a curve point"
        case .degeneratePublicKey: return "Ed25519 public key is a degenerate point"
        }
    }
}
