import Crypto
import SNaP2PWire

/// A wallet's signed statement that a node key speaks for its principal until an expiry (v1).
///
/// Wire form: the CBOR map `{domain, exp, nonce, npk, p, sig, ts, v}` (keys sorted), where `sig` is the
/// wallet's RSV signature over SHA-256 of the same map without `sig`. Peers exchange it in AUTH; the
/// verifier checks it here and then checks the node-key binding (``binds(noiseStaticKey:)``).
public struct NodeKeyAttestation: Sendable, Hashable {
    /// The only domain string v1 accepts; it keeps a wallet signature from being replayed as something else.
    public static let domain = "snap2p-nodekey-attestation-v1"
    /// How long an attestation issued without an explicit validity lasts: 24 hours.
    public static let defaultValidity: UInt64 = 24 * 60 * 60
    /// Allowed disagreement between the issuer's and verifier's clocks, each way: 5 minutes.
    public static let clockSkewTolerance: UInt64 = 5 * 60
    /// Nonce sizes accepted; 32 bytes are issued.
    public static let nonceLengths = 16...32
    /// Larger input is refused before decoding (a v1 attestation is about 270 bytes).
    public static let maximumSerializedLength = 4096
    /// The attestation format version.
    static let version: UInt64 = 1

    /// Who vouches for the node key.
    public let principal: Principal
    /// The 32-byte Ed25519 node public key (hex text `npk` on the wire).
    public let nodePublicKey: [UInt8]
    /// Unix seconds when it was issued (`ts`).
    public let issuedAt: UInt64
    /// Unix seconds when it stops being valid (`exp`).
    public let expiresAt: UInt64
    /// Random bytes that make each attestation unique.
    public let nonce: [UInt8]
    /// The domain string as received; ``verify(at:network:)`` requires ``NodeKeyAttestation/domain``.
    public let domain: String
    /// The wallet's signature over ``signedPayload``.
    public let signature: Secp256k1.RecoverableSignature

    /// Has `wallet` sign an attestation for `nodePublicKey`.
    ///
    /// - Parameters:
    ///   - issuedAt: unix seconds; now when nil.
    ///   - validity: seconds until expiry.
    ///   - nonce: 16-32 bytes; 32 fresh random bytes when nil.
    /// - Throws: ``AttestationError/malformed(_:)`` for bad inputs, ``AttestationError/badSignature`` when the
    ///   wallet's signature does not recover to its own principal, or whatever the wallet throws.
    public static func issue(
        wallet: some Wallet,
        nodePublicKey: [UInt8],
        issuedAt: UInt64? = nil,
        validity: UInt64 = defaultValidity,
        nonce: [UInt8]? = nil
    ) async throws -> NodeKeyAttestation {
        let issuedAt = issuedAt ?? WallClock.unixSeconds()
        let nonce = nonce ?? SecureRandom.bytes(nonceLengths.upperBound)
        guard nodePublicKey.count == 32 else { throw AttestationError.malformed("node public key must be 32 bytes") }
        guard nonceLengths.contains(nonce.count) else { throw AttestationError.malformed("nonce must be 16-32 bytes") }
        let (expiresAt, overflow) = issuedAt.addingReportingOverflow(validity)
        guard !overflow else { throw AttestationError.malformed("expiry overflows") }

        let signed = signedFields(
            principal: wallet.principal, nodePublicKey: nodePublicKey, issuedAt: issuedAt,
            expiresAt: expiresAt, nonce: nonce, domain: domain)
        guard let signature = try await signed.signature(by: wallet) else { throw AttestationError.badSignature }
        return NodeKeyAttestation(
            principal: wallet.principal, nodePublicKey: nodePublicKey, issuedAt: issuedAt,
            expiresAt: expiresAt, nonce: nonce, domain: domain, signature: signature)
    }

    private init(
        principal: Principal, nodePublicKey: [UInt8], issuedAt: UInt64, expiresAt: UInt64,
        nonce: [UInt8], domain: String, signature: Secp256k1.RecoverableSignature
    ) {
        self.principal = principal
        self.nodePublicKey = nodePublicKey
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.nonce = nonce
        self.domain = domain
        self.signature = signature
    }

    /// Decodes the wire form. Field types are strict; unknown keys are ignored.
    ///
    /// Structure is checked here (version, types, `npk` as 64 lowercase hex digits, a canonical principal, a
    /// 65-byte signature); validity (domain, nonce size, times, signature, network) by ``verify(at:network:)``.
    public init(serialized bytes: [UInt8]) throws(AttestationError) {
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
            principal = try reader.principal("p")
            let nodeKeyText = try reader.text("npk")
            guard nodeKeyText.utf8.count == 64, let nodeKey = try? Hex.decode(nodeKeyText), nodeKey.count == 32 else {
                throw .malformed("\"npk\" is not 64 hex digits")
            }
            // Like the principal, the key must be canonical: the signed map is rebuilt with lowercase hex.
            guard Hex.encode(nodeKey) == nodeKeyText else { throw .malformed("\"npk\" is not lowercase hex") }
            nodePublicKey = nodeKey
            issuedAt = try reader.uint("ts")
            expiresAt = try reader.uint("exp")
            nonce = try reader.bytes("nonce")
            domain = try reader.text("domain")
            signature = try reader.signature("sig")
        } catch {
            throw .malformed(error.reason)
        }
    }

    /// The wire form: deterministic CBOR with sorted keys, byte for byte what the reference writes.
    public func serialized() -> [UInt8] {
        signed.serialized(with: signature)
    }

    /// The bytes the wallet signs: the map without `sig`, rebuilt from the decoded fields.
    var signedPayload: [UInt8] { CBOR.map(signed.fields).encoded() }

    private var signed: WalletSignedFields {
        Self.signedFields(
            principal: principal, nodePublicKey: nodePublicKey, issuedAt: issuedAt,
            expiresAt: expiresAt, nonce: nonce, domain: domain)
    }

    private static func signedFields(
        principal: Principal, nodePublicKey: [UInt8], issuedAt: UInt64, expiresAt: UInt64,
        nonce: [UInt8], domain: String
    ) -> WalletSignedFields {
        WalletSignedFields(fields: [
            "domain": .text(domain),
            "exp": .unsigned(expiresAt),
            "nonce": .bytes(nonce),
            "npk": .text(Hex.encode(nodePublicKey)),
            "p": .text(principal.description),
            "ts": .unsigned(issuedAt),
            "v": .unsigned(version),
        ])
    }

    /// Checks everything a peer must check before trusting the attestation, except the node-key binding.
    ///
    /// - Parameters:
    ///   - now: the verifier's clock, unix seconds.
    ///   - network: the verifier's network; a principal of the other network is refused.
    /// - Returns: the proven principal.
    public func verify(at now: UInt64, network: StacksNetwork) throws(AttestationError) -> Principal {
        guard domain == Self.domain else { throw .wrongDomain(domain) }
        guard Self.nonceLengths.contains(nonce.count) else { throw .malformed("nonce is \(nonce.count) bytes, not 16-32") }
        switch ValidityWindow(issuedAt: issuedAt, expiresAt: expiresAt, now: now, tolerance: Self.clockSkewTolerance) {
        case .notYetValid: throw .notYetValid
        case .expired: throw .expired
        case .valid: break
        }
        guard !principal.address.version.isMultiSig else { throw .malformed("a multi-sig principal cannot sign an attestation") }
        guard signed.isSigned(by: principal, signature: signature) else { throw .badSignature }
        guard principal.network == network else { throw .wrongNetwork(principal: principal.network, peer: network) }
        return principal
    }

    /// The node-key binding: whether `noiseStaticKey` (the peer's X25519 Noise static key) is the
    /// Montgomery form of the attested Ed25519 node key. Compared in constant time.
    public func binds(noiseStaticKey: [UInt8]) -> Bool {
        guard let expected = try? NodeKey.montgomeryPublicKey(fromEd25519: nodePublicKey) else { return false }
        return constantTimeEquals(expected, noiseStaticKey)
    }
}
