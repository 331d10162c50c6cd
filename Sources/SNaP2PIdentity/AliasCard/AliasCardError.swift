/// Why an alias card was refused; each case names the failed check.
public enum AliasCardError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not an alias card: over 512 bytes, bad CBOR, a missing or mistyped field, a bad nonce.
    case malformed(String)
    /// A `v` other than 1.
    case unsupportedVersion(UInt64)
    /// A `domain` other than `snap2p-aliascard-v1` (a signature made for something else).
    case wrongDomain(String)
    /// The alias is empty or too long after normalization, not normalized, or has a character
    /// outside letters, digits, `-`, `_` and `.`.
    case invalidAlias(String)
    /// The display name is too long or holds control or invisible characters.
    case invalidDisplayName(String)
    /// `expires_at` is not after `issued_at`, or more than 365 days after it.
    case invalidValidity(String)
    /// Issued more than the clock-skew tolerance after the verifier's now.
    case notYetValid
    /// Expired more than the clock-skew tolerance before the verifier's now.
    case expired
    /// The signature does not recover to the principal's key.
    case badSignature
    /// A genuine card, but for a principal of the other network.
    case wrongNetwork(principal: StacksNetwork, peer: StacksNetwork)
    /// A genuine card of another principal than the session's.
    case wrongPrincipal(card: Principal, session: Principal)

    public var description: String {
        switch self {
        case .malformed(let reason): "malformed alias card: \(reason)"
        case .unsupportedVersion(let version): "unsupported alias card version \(version)"
        case .wrongDomain(let domain): "wrong alias card domain \"\(domain)\""
        case .invalidAlias(let reason): "invalid alias: \(reason)"
        case .invalidDisplayName(let reason): "invalid display name: \(reason)"
        case .invalidValidity(let reason): "invalid alias card validity: \(reason)"
        case .notYetValid: "alias card is not yet valid (issued in the future)"
        case .expired: "alias card has expired"
        case .badSignature: "alias card signature does not match its principal"
        case .wrongNetwork(let principal, let peer): "wrong network: \(principal) card, \(peer) peer"
        case .wrongPrincipal(let card, let session): "the card is \(card)'s, the session is with \(session)"
        }
    }
}
