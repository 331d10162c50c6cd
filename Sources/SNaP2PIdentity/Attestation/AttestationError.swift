import SNaP2PWire

/// Why an attestation was refused; each case names the failed check.
public enum AttestationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not an attestation: bad CBOR, a missing or mistyped field, a bad node key or principal, a bad nonce.
    case malformed(String)
    /// A `v` other than 1.
    case unsupportedVersion(UInt64)
    /// A `domain` other than `snap2p-nodekey-attestation-v1` (a signature made for something else).
    case wrongDomain(String)
    /// Issued more than the clock-skew tolerance after the verifier's now.
    case notYetValid
    /// Expired more than the clock-skew tolerance before the verifier's now.
    case expired
    /// The signature does not recover to the principal's key.
    case badSignature
    /// A genuine attestation, but for a principal of the other network.
    case wrongNetwork(principal: StacksNetwork, peer: StacksNetwork)

    /// The code sent in AUTH_FAIL: 7 for an expired attestation, 6 for every other failure.
    public var protocolErrorCode: ProtocolErrorCode {
        self == .expired ? .attestationExpired : .attestationInvalid
    }

    public var description: String {
        switch self {
        case .malformed(let reason): return "malformed attestation: \(reason)"
        case .unsupportedVersion(let version): return "unsupported attestation version \(version)"
        case .wrongDomain(let domain): return "wrong attestation domain \"\(domain)\""
        case .notYetValid: return "attestation is not yet valid (issued in the future)"
        case .expired: return "attestation has expired"
        case .badSignature: return "attestation signature does not match its principal"
        case .wrongNetwork(let principal, let peer): return "wrong network: \(principal) principal, \(peer) peer"
        }
    }
}
