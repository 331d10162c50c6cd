import Crypto
import SNaP2PWire

/// The signature scheme node-key attestations and alias cards share (PROTOCOL.md §5): the fields
/// form a CBOR map encoded deterministically (keys in plain byte order), the wallet signs SHA-256
/// of that encoding, and the 65-byte recoverable signature travels beside them as `sig`. One
/// verifier serves both documents: the signature must recover to the key whose hash160 is in the
/// principal's address.
struct WalletSignedFields: Sendable {
    /// The signed fields, without `sig`.
    let fields: [String: CBOR]

    /// The hash the wallet signs.
    var messageHash: [UInt8] { Array(SHA256.hash(data: CBOR.map(fields).encoded())) }

    /// The wallet's signature, checked to recover to the wallet's own principal: an external wallet
    /// that signs with another key would otherwise fail only at the remote peer.
    func signature(by wallet: some Wallet) async throws -> Secp256k1.RecoverableSignature? {
        let signature = try await wallet.sign(messageHash: messageHash)
        return isSigned(by: wallet.principal, signature: signature) ? signature : nil
    }

    /// Whether `signature` over these fields recovers to `principal`'s key. A multi-sig principal
    /// has no single key and never signs.
    func isSigned(by principal: Principal, signature: Secp256k1.RecoverableSignature) -> Bool {
        guard !principal.address.version.isMultiSig,
              let signer = try? signature.recoverPublicKey(messageHash: messageHash)
        else { return false }
        return hash160(signer.bytes) == principal.address.hash160
    }

    /// The wire form: the fields and `sig`, deterministic CBOR.
    func serialized(with signature: Secp256k1.RecoverableSignature) -> [UInt8] {
        var all = fields
        all["sig"] = .bytes(signature.bytes)
        return CBOR.map(all).encoded()
    }
}

/// Where `now` falls in a signed document's validity window, allowing `tolerance` seconds of
/// clock disagreement each way (PROTOCOL.md §5: 5 minutes).
enum ValidityWindow: Equatable {
    case valid
    /// Issued more than the tolerance after `now`.
    case notYetValid
    /// Expired more than the tolerance before `now`.
    case expired

    init(issuedAt: UInt64, expiresAt: UInt64, now: UInt64, tolerance: UInt64) {
        // issuedAt <= now + tolerance and expiresAt > now - tolerance, written so neither can overflow.
        if issuedAt > now.addingClamped(tolerance) {
            self = .notYetValid
        } else if expiresAt.addingClamped(tolerance) <= now {
            self = .expired
        } else {
            self = .valid
        }
    }
}

/// Reads the typed fields of a decoded CBOR map, naming the first missing or mistyped one.
struct SignedFieldReader {
    let fields: [String: CBOR]

    /// Decodes `bytes` as one CBOR map, refusing more than `maximumLength` bytes before decoding.
    init(decoding bytes: [UInt8], maximumLength: Int) throws(SignedFieldError) {
        guard bytes.count <= maximumLength else { throw .malformed("\(bytes.count) bytes, more than \(maximumLength)") }
        let item: CBOR
        do { item = try CBOR.decode(bytes) } catch { throw .malformed("not CBOR: \(error)") }
        guard case .map(let fields) = item else { throw .malformed("not a CBOR map") }
        self.fields = fields
    }

    func uint(_ key: String) throws(SignedFieldError) -> UInt64 { try field(key, "an unsigned integer", \.uint) }
    func text(_ key: String) throws(SignedFieldError) -> String { try field(key, "text", \.text) }
    func bytes(_ key: String) throws(SignedFieldError) -> [UInt8] { try field(key, "a byte string", \.bytes) }

    /// A principal sent as text, which must be canonical: the signature covers the text as sent,
    /// and only the canonical text can be rebuilt from the address.
    func principal(_ key: String) throws(SignedFieldError) -> Principal {
        let text = try text(key)
        let principal: Principal
        do { principal = try Principal(text) } catch { throw .malformed("principal: \(error)") }
        guard principal.description == text else { throw .malformed("principal is not in canonical form") }
        return principal
    }

    func signature(_ key: String) throws(SignedFieldError) -> Secp256k1.RecoverableSignature {
        let bytes = try bytes(key)
        do { return try Secp256k1.RecoverableSignature(bytes: bytes) } catch { throw .malformed("\(error)") }
    }

    private func field<Value>(_ key: String, _ kind: String, _ extract: (CBOR) -> Value?) throws(SignedFieldError) -> Value {
        guard let value = fields[key] else { throw .malformed("missing \"\(key)\"") }
        guard let typed = extract(value) else { throw .malformed("\"\(key)\" is not \(kind)") }
        return typed
    }
}

/// A signed document's structure is broken; each document type wraps it in its own error.
struct SignedFieldError: Error {
    /// What is wrong, e.g. `missing "p"`.
    let reason: String

    static func malformed(_ reason: String) -> SignedFieldError { SignedFieldError(reason: reason) }
}

extension UInt64 {
    /// Addition that stops at `UInt64.max` instead of trapping.
    func addingClamped(_ other: UInt64) -> UInt64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}
