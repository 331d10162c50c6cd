import CSecp256k1
import SNaP2PWire

/// ECDSA over secp256k1, the curve of Stacks wallet keys, backed by libsecp256k1.
///
/// Wallet keys sign node-key attestations; verifiers recover the signer's public key from the
/// signature and compare its address with the claimed principal.
public enum Secp256k1 {}

/// Why a secp256k1 key, signature or input was refused.
public enum Secp256k1Error: Error, Equatable, Sendable, CustomStringConvertible {
    /// A private key must be 32 bytes, or 33 bytes ending in the compression marker 0x01.
    case invalidPrivateKeyLength(Int)
    /// A 33-byte private key whose last byte is not the compression marker 0x01.
    case invalidCompressionMarker(UInt8)
    /// Private key text that is not hexadecimal.
    case invalidPrivateKeyHex
    /// The scalar is zero or not below the group order.
    case privateKeyOutOfRange
    /// Bytes that are not a valid SEC1 encoding of a curve point.
    case invalidPublicKey
    /// A message hash must be exactly 32 bytes.
    case invalidMessageHashLength(Int)
    /// A recoverable signature must be exactly 65 bytes (`r || s || v`).
    case invalidSignatureLength(Int)
    /// The recovery id `v` must be 0...3.
    case invalidRecoveryID(UInt8)
    /// `r`/`s` out of range, or no public key recovers from this signature and hash.
    case unrecoverableSignature
    /// Adding the tweak gave zero or the tweak is not below the group order (BIP-32 skips such an index).
    case tweakOutOfRange

    public var description: String {
        switch self {
        case .invalidPrivateKeyLength(let count):
            return "private key must be 32 bytes (or 33 ending in 01), got \(count)"
        case .invalidCompressionMarker(let marker):
            return "33-byte private key must end in 01, ends in \(Hex.encode([marker]))"
        case .invalidPrivateKeyHex: return "private key is not hex"
        case .privateKeyOutOfRange: return "private key is zero or not below the curve order"
        case .invalidPublicKey: return "not a valid secp256k1 public key"
        case .invalidMessageHashLength(let count): return "message hash must be 32 bytes, got \(count)"
        case .invalidSignatureLength(let count): return "recoverable signature must be 65 bytes, got \(count)"
        case .invalidRecoveryID(let v): return "recovery id must be 0-3, got \(v)"
        case .unrecoverableSignature: return "no public key recovers from this signature"
        case .tweakOutOfRange: return "tweak is out of range"
        }
    }
}

/// The one libsecp256k1 context that signs and derives public keys.
///
/// libsecp256k1 refuses to sign with its static context, and creating a context costs far more than
/// a signature, so one is created (and blinded with fresh randomness) on first use and shared.
/// libsecp256k1 documents concurrent use of a context as safe for every function taking it `const`,
/// which is all this module does after creation.
final class Secp256k1SigningContext: @unchecked Sendable {
    /// The shared instance (Swift initializes `static let` once, thread-safely).
    static let shared = Secp256k1SigningContext()

    let pointer: OpaquePointer

    private init() {
        guard let context = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
            fatalError("libsecp256k1 could not allocate a context")
        }
        var seed = SecureRandom.bytes(32)
        // Randomization only blinds against side channels; a failure would leave a working context.
        _ = secp256k1_context_randomize(context, seed)
        secureZero(&seed)
        pointer = context
    }
}

/// libsecp256k1's precomputed static context: parsing, serialization, recovery and scalar checks.
var secp256k1StaticContext: OpaquePointer { snap2p_secp256k1_context_static() }
