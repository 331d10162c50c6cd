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

        let payload = payloadFields(
            principal: wallet.principal, nodePublicKey: nodePublicKey, issuedAt: issuedAt,
            expiresAt: expiresAt, nonce: nonce, domain: domain)
        let signature = try await wallet.sign(messageHash: Array(SHA256.hash(data: CBOR.map(payload).encoded())))
        let attestation = NodeKeyAttestation(
            principal: wallet.principal, nodePublicKey: nodePublicKey, issuedAt: issuedAt,
            expiresAt: expiresAt, nonce: nonce, domain: domain, signature: signature)
        // An external wallet that signs with another key would otherwise fail only at the remote peer.
        guard attestation.signatureMatchesPrincipal else { throw AttestationError.badSignature }
        return attestation
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
        guard bytes.count <= Self.maximumSerializedLength else {
            throw .malformed("\(bytes.count) bytes, more than \(Self.maximumSerializedLength)")
        }
        let item: CBOR
        do { item = try CBOR.decode(bytes) } catch { throw .malformed("not CBOR: \(error)") }
        guard case .map(let fields) = item else { throw .malformed("not a CBOR map") }

        func field<Value>(_ key: String, _ kind: String, _ extract: (CBOR) -> Value?) throws(AttestationError) -> Value {
            guard let value = fields[key] else { throw .malformed("missing \"\(key)\"") }
            guard let typed = extract(value) else { throw .malformed("\"\(key)\" is not \(kind)") }
            return typed
        }

        let version = try field("v", "an unsigned integer", \.uint)
        guard version == Self.version else { throw .unsupportedVersion(version) }

        let principalText = try field("p", "text", \.text)
        do { principal = try Principal(principalText) } catch { throw .malformed("principal: \(error)") }
        // The signature covers the text as sent; only the canonical text can be rebuilt from the address.
        guard principal.description == principalText else { throw .malformed("principal is not in canonical form") }

        let nodeKeyText = try field("npk", "text", \.text)
        guard nodeKeyText.utf8.count == 64, let nodeKey = try? Hex.decode(nodeKeyText), nodeKey.count == 32 else {
            throw .malformed("\"npk\" is not 64 hex digits")
        }
        // Likewise the key: the signed map is rebuilt with lowercase hex.
        guard Hex.encode(nodeKey) == nodeKeyText else { throw .malformed("\"npk\" is not lowercase hex") }
        nodePublicKey = nodeKey

        issuedAt = try field("ts", "an unsigned integer", \.uint)
        expiresAt = try field("exp", "an unsigned integer", \.uint)
        nonce = try field("nonce", "a byte string", \.bytes)
        domain = try field("domain", "text", \.text)
        let signatureBytes = try field("sig", "a byte string", \.bytes)
        do { signature = try Secp256k1.RecoverableSignature(bytes: signatureBytes) } catch { throw .malformed("\(error)") }
    }

    /// The wire form: deterministic CBOR with sorted keys, byte for byte what the reference writes.
    public func serialized() -> [UInt8] {
        var fields = payloadFields
        fields["sig"] = .bytes(signature.bytes)
        return CBOR.map(fields).encoded()
    }

    /// The bytes the wallet signs: the map without `sig`, rebuilt from the decoded fields.
    var signedPayload: [UInt8] { CBOR.map(payloadFields).encoded() }

    private var payloadFields: [String: CBOR] {
        Self.payloadFields(
            principal: principal, nodePublicKey: nodePublicKey, issuedAt: issuedAt,
            expiresAt: expiresAt, nonce: nonce, domain: domain)
    }

    private static func payloadFields(
        principal: Principal, nodePublicKey: [UInt8], issuedAt: UInt64, expiresAt: UInt64,
        nonce: [UInt8], domain: String
    ) -> [String: CBOR] {
        [
            "domain": .text(domain),
            "exp": .unsigned(expiresAt),
            "nonce": .bytes(nonce),
            "npk": .text(Hex.encode(nodePublicKey)),
            "p": .text(principal.description),
            "ts": .unsigned(issuedAt),
            "v": .unsigned(version),
        ]
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
        // ts <= now + skew and exp > now - skew, written so neither side can overflow.
        guard issuedAt <= now.addingClamped(Self.clockSkewTolerance) else { throw .notYetValid }
        guard expiresAt.addingClamped(Self.clockSkewTolerance) > now else { throw .expired }
        guard !principal.address.version.isMultiSig else { throw .malformed("a multi-sig principal cannot sign an attestation") }
        guard signatureMatchesPrincipal else { throw .badSignature }
        guard principal.network == network else { throw .wrongNetwork(principal: principal.network, peer: network) }
        return principal
    }

    /// Whether the signature recovers to the key whose hash160 is in the principal's address.
    private var signatureMatchesPrincipal: Bool {
        let messageHash = Array(SHA256.hash(data: signedPayload))
        guard let signer = try? signature.recoverPublicKey(messageHash: messageHash) else { return false }
        return hash160(signer.bytes) == principal.address.hash160
    }

    /// The node-key binding: whether `noiseStaticKey` (the peer's X25519 Noise static key) is the
    /// Montgomery form of the attested Ed25519 node key. Compared in constant time.
    public func binds(noiseStaticKey: [UInt8]) -> Bool {
        guard let expected = try? NodeKey.montgomeryPublicKey(fromEd25519: nodePublicKey) else { return false }
        return constantTimeEquals(expected, noiseStaticKey)
    }
}

extension UInt64 {
    /// Addition that stops at `UInt64.max` instead of trapping.
    fileprivate func addingClamped(_ other: UInt64) -> UInt64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}
