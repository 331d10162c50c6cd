import CSecp256k1
import SNaP2PWire

extension Secp256k1 {
    /// A secp256k1 private key (wallet key). Its public key is always the compressed one.
    ///
    /// The scalar lives in ``SecretBytes`` (wiped on release) and never appears in `description`.
    /// Stacks tools write keys as 33 bytes ending in `01` to mean "compressed public key"; both that
    /// and the bare 32 bytes are accepted and mean the same key here.
    public struct PrivateKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
        private let secret: SecretBytes
        /// The compressed public key.
        public let publicKey: PublicKey

        /// Accepts the 32-byte scalar, or 33 bytes ending in the compression marker `01`.
        public init(bytes: [UInt8]) throws(Secp256k1Error) {
            switch bytes.count {
            case 32: break
            case 33: guard bytes[32] == 0x01 else { throw .invalidCompressionMarker(bytes[32]) }
            default: throw .invalidPrivateKeyLength(bytes.count)
            }
            try self.init(secret: SecretBytes(bytes.prefix(32)))
        }

        /// Accepts 64 hex characters, or 66 ending in `01` (the form Stacks wallets print).
        public init(hex: String) throws(Secp256k1Error) {
            var bytes: [UInt8]
            do { bytes = try Hex.decode(hex) } catch { throw .invalidPrivateKeyHex }
            defer { secureZero(&bytes) }
            try self.init(bytes: bytes)
        }

        /// A fresh uniformly random key.
        public static func random() -> PrivateKey {
            while true {
                let secret = SecretBytes(count: 32) { SecureRandom.fill($0) }
                // Fails only for zero or a value >= n (probability ~2^-128): draw again.
                if let key = try? PrivateKey(secret: secret) { return key }
            }
        }

        private init(secret: SecretBytes) throws(Secp256k1Error) {
            let context = Secp256k1SigningContext.shared.pointer
            var publicKey = secp256k1_pubkey()
            let valid = secret.withUnsafeBytes { scalar in
                let scalar = scalar.bindMemory(to: UInt8.self).baseAddress!
                return secp256k1_ec_seckey_verify(context, scalar) == 1
                    && secp256k1_ec_pubkey_create(context, &publicKey, scalar) == 1
            }
            guard valid else { throw .privateKeyOutOfRange }
            self.secret = secret
            self.publicKey = PublicKey(parsed: publicKey)
        }

        /// Signs a 32-byte hash: RFC 6979 deterministic nonce, low-S, with the recovery id.
        ///
        /// These are the bytes `signMessageHashRsv` of stacks.js produces for the same key and hash.
        public func signRecoverable(messageHash: [UInt8]) throws(Secp256k1Error) -> RecoverableSignature {
            guard messageHash.count == 32 else { throw .invalidMessageHashLength(messageHash.count) }
            let context = Secp256k1SigningContext.shared.pointer
            var signature = secp256k1_ecdsa_recoverable_signature()
            let signed = secret.withUnsafeBytes { scalar in
                secp256k1_ecdsa_sign_recoverable(
                    context, &signature, messageHash, scalar.bindMemory(to: UInt8.self).baseAddress!, nil, nil) == 1
            }
            // The key was verified at creation, so libsecp256k1 cannot refuse it.
            precondition(signed, "libsecp256k1 refused to sign with a verified key")
            return RecoverableSignature(signature: signature)
        }

        /// `(self + tweak) mod n`, the private-key step of BIP-32 child derivation.
        ///
        /// Throws ``Secp256k1Error/tweakOutOfRange`` when the tweak is >= n or the sum is zero.
        public func tweakAdded(_ tweak: [UInt8]) throws(Secp256k1Error) -> PrivateKey {
            guard tweak.count == 32 else { throw .tweakOutOfRange }
            let sum = try SecretBytes(count: 32) { (output: UnsafeMutableRawBufferPointer) throws(Secp256k1Error) in
                secret.withUnsafeBytes { output.copyMemory(from: $0) }
                let added = secp256k1_ec_seckey_tweak_add(
                    secp256k1StaticContext, output.bindMemory(to: UInt8.self).baseAddress!, tweak)
                guard added == 1 else { throw .tweakOutOfRange }
            }
            return try PrivateKey(secret: sum)
        }

        /// Lends the 32-byte scalar (for BIP-32 serialization and derivation) without copying it out.
        package func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
            try secret.withUnsafeBytes(body)
        }

        /// Redacted: names the public key only.
        public var description: String { "Secp256k1.PrivateKey(publicKey: \(publicKey), secret: <redacted>)" }
        /// Redacted, like ``description``.
        public var debugDescription: String { description }
    }
}
