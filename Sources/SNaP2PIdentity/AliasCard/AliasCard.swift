import SNaP2PWire

/// A self-asserted, wallet-signed handle for a principal (SPECS v0.1 §6, docs/ALIASCARDS.md): an
/// alias such as `alice` and a display name such as `Alice 🌻`. Not unique and not registered:
/// anyone can call themselves `alice`, so an alias is always shown beside the principal.
///
/// Wire form: the CBOR map `{alias, display_name, domain, expires_at, issued_at, nonce, principal,
/// sig, v}` (keys sorted), where `sig` is the wallet's recoverable signature over SHA-256 of the
/// same map without `sig`: the scheme of ``NodeKeyAttestation``, with its own domain string.
public struct AliasCard: Sendable, Hashable {
    /// The only domain string v1 accepts.
    public static let domain = "snap2p-aliascard-v1"
    /// How long a card issued without an explicit validity lasts: 7 days.
    public static let defaultValidity: UInt64 = 7 * 24 * 60 * 60
    /// The longest validity accepted: 365 days.
    public static let maximumValidity: UInt64 = 365 * 24 * 60 * 60
    /// Larger input is refused before decoding, and no larger card is issued.
    public static let maximumSerializedLength = 512
    /// Nonce sizes accepted; 32 bytes are issued.
    public static let nonceLengths = 16...32
    /// The card format version.
    static let version: UInt64 = 1

    /// Whose card it is.
    public let principal: Principal
    /// The normalized alias (``AliasCard/normalize(alias:)``).
    public let alias: String
    /// Free text to show, up to 64 characters; may be empty.
    public let displayName: String
    /// Unix seconds when it was issued (`issued_at`); the latest card of a principal wins.
    public let issuedAt: UInt64
    /// Unix seconds when it stops being valid (`expires_at`).
    public let expiresAt: UInt64
    /// Random bytes that make each card unique.
    public let nonce: [UInt8]
    /// The domain string as received; ``verify(at:network:)`` requires ``AliasCard/domain``.
    public let domain: String
    /// The wallet's signature over the other fields.
    public let signature: Secp256k1.RecoverableSignature

    /// Has `wallet` sign a card.
    ///
    /// - Parameters:
    ///   - alias: normalized here (NFKC, lower case, trimmed), then checked.
    ///   - displayName: checked as given (at most 64 characters, no control or invisible ones).
    ///   - issuedAt: unix seconds; now when nil.
    ///   - validity: seconds until expiry, at most ``maximumValidity``.
    ///   - nonce: 16-32 bytes; 32 fresh random bytes when nil.
    /// - Throws: ``AliasCardError`` for a bad alias, display name or validity, or a card over
    ///   512 bytes; ``AliasCardError/badSignature`` when the wallet's signature does not recover to
    ///   its own principal; or whatever the wallet throws.
    public static func issue(
        wallet: some Wallet,
        alias: String,
        displayName: String = "",
        issuedAt: UInt64? = nil,
        validity: UInt64 = defaultValidity,
        nonce: [UInt8]? = nil
    ) async throws -> AliasCard {
        let issuedAt = issuedAt ?? WallClock.unixSeconds()
        let alias = try normalize(alias: alias)
        try check(displayName: displayName)
        let (expiresAt, overflow) = issuedAt.addingReportingOverflow(validity)
        guard !overflow else { throw AliasCardError.invalidValidity("expiry overflows") }
        try check(issuedAt: issuedAt, expiresAt: expiresAt)
        let nonce = nonce ?? SecureRandom.bytes(nonceLengths.upperBound)
        guard nonceLengths.contains(nonce.count) else { throw AliasCardError.malformed("nonce must be 16-32 bytes") }
        let signed = signedFields(
            principal: wallet.principal, alias: alias, displayName: displayName, issuedAt: issuedAt,
            expiresAt: expiresAt, nonce: nonce, domain: domain)
        guard let signature = try await signed.signature(by: wallet) else { throw AliasCardError.badSignature }
        let card = AliasCard(
            principal: wallet.principal, alias: alias, displayName: displayName, issuedAt: issuedAt,
            expiresAt: expiresAt, nonce: nonce, domain: domain, signature: signature)
        let size = card.serialized().count
        guard size <= maximumSerializedLength else {
            throw AliasCardError.malformed("\(size) bytes, more than \(maximumSerializedLength)")
        }
        return card
    }

    private init(
        principal: Principal, alias: String, displayName: String, issuedAt: UInt64, expiresAt: UInt64,
        nonce: [UInt8], domain: String, signature: Secp256k1.RecoverableSignature
    ) {
        self.principal = principal
        self.alias = alias
        self.displayName = displayName
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.nonce = nonce
        self.domain = domain
        self.signature = signature
    }

    /// Decodes the wire form, refusing more than 512 bytes before decoding. Field types are
    /// strict; unknown keys are ignored (and, not being signed, fail the signature check).
    ///
    /// Structure is checked here; the alias, display name, validity, domain, nonce, times,
    /// signature and network by ``verify(at:network:)``.
    public init(serialized bytes: [UInt8]) throws(AliasCardError) {
        let reader: SignedFieldReader
        let version: UInt64
        do {
            reader = try SignedFieldReader(decoding: bytes, maximumLength: Self.maximumSerializedLength)
            version = try reader.uint("v")
        } catch {
            throw .malformed(error.reason)
        }
        guard version == Self.version else { throw .unsupportedVersion(version) }
        do throws(SignedFieldError) {
            principal = try reader.principal("principal")
            alias = try reader.text("alias")
            displayName = try reader.text("display_name")
            issuedAt = try reader.uint("issued_at")
            expiresAt = try reader.uint("expires_at")
            nonce = try reader.bytes("nonce")
            domain = try reader.text("domain")
            signature = try reader.signature("sig")
        } catch {
            throw .malformed(error.reason)
        }
    }

    /// The wire form: deterministic CBOR with sorted keys.
    public func serialized() -> [UInt8] {
        signed.serialized(with: signature)
    }

    /// Checks everything a peer must check before showing the card: domain, alias, display name,
    /// validity span, nonce, that `now` is inside the validity window (5 minutes of clock skew
    /// allowed each way, as for attestations), the signature, and the network.
    ///
    /// - Returns: the principal the card speaks for; a session also checks that it is its peer's.
    @discardableResult
    public func verify(at now: UInt64, network: StacksNetwork) throws(AliasCardError) -> Principal {
        guard domain == Self.domain else { throw .wrongDomain(domain) }
        guard try Self.normalize(alias: alias) == alias else { throw .invalidAlias("\"\(alias)\" is not in normalized form") }
        try Self.check(displayName: displayName)
        try Self.check(issuedAt: issuedAt, expiresAt: expiresAt)
        guard Self.nonceLengths.contains(nonce.count) else { throw .malformed("nonce is \(nonce.count) bytes, not 16-32") }
        switch ValidityWindow(issuedAt: issuedAt, expiresAt: expiresAt, now: now, tolerance: NodeKeyAttestation.clockSkewTolerance) {
        case .notYetValid: throw .notYetValid
        case .expired: throw .expired
        case .valid: break
        }
        guard signed.isSigned(by: principal, signature: signature) else { throw .badSignature }
        guard principal.network == network else { throw .wrongNetwork(principal: principal.network, peer: network) }
        return principal
    }

    /// Whether the card has expired by `now` (no skew allowance: an expired card is never shown).
    public func isExpired(at now: UInt64) -> Bool {
        expiresAt <= now
    }

    private var signed: WalletSignedFields {
        Self.signedFields(
            principal: principal, alias: alias, displayName: displayName, issuedAt: issuedAt,
            expiresAt: expiresAt, nonce: nonce, domain: domain)
    }

    private static func signedFields(
        principal: Principal, alias: String, displayName: String, issuedAt: UInt64, expiresAt: UInt64,
        nonce: [UInt8], domain: String
    ) -> WalletSignedFields {
        WalletSignedFields(fields: [
            "alias": .text(alias),
            "display_name": .text(displayName),
            "domain": .text(domain),
            "expires_at": .unsigned(expiresAt),
            "issued_at": .unsigned(issuedAt),
            "nonce": .bytes(nonce),
            "principal": .text(principal.description),
            "v": .unsigned(version),
        ])
    }

    private static func check(issuedAt: UInt64, expiresAt: UInt64) throws(AliasCardError) {
        guard expiresAt > issuedAt else { throw .invalidValidity("expires_at \(expiresAt) is not after issued_at \(issuedAt)") }
        guard expiresAt - issuedAt <= maximumValidity else {
            throw .invalidValidity("valid for \(expiresAt - issuedAt) s, more than 365 days")
        }
    }
}
