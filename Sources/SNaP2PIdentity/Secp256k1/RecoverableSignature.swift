import CSecp256k1
import SNaP2PWire

extension Secp256k1 {
    /// An ECDSA signature with its recovery id, in the 65-byte "RSV" layout `r (32) || s (32) || v (1)`.
    ///
    /// The recovery id lets a verifier compute the signer's public key from the signature alone,
    /// which is how a Stacks address is checked without knowing the key in advance.
    public struct RecoverableSignature: Hashable, Sendable, CustomStringConvertible {
        /// The 65 bytes `r || s || v`.
        public let bytes: [UInt8]

        /// Accepts 65 bytes with a recovery id of 0...3; `r` and `s` are checked when recovering.
        public init(bytes: [UInt8]) throws(Secp256k1Error) {
            guard bytes.count == 65 else { throw .invalidSignatureLength(bytes.count) }
            guard bytes[64] <= 3 else { throw .invalidRecoveryID(bytes[64]) }
            self.bytes = bytes
        }

        /// Serializes a signature libsecp256k1 produced.
        init(signature: secp256k1_ecdsa_recoverable_signature) {
            var signature = signature
            var output = [UInt8](repeating: 0, count: 65)
            var recoveryID: Int32 = 0
            _ = secp256k1_ecdsa_recoverable_signature_serialize_compact(
                secp256k1StaticContext, &output, &recoveryID, &signature)
            output[64] = UInt8(recoveryID)
            bytes = output
        }

        /// The public key (compressed) whose private key made this signature over `messageHash`.
        public func recoverPublicKey(messageHash: [UInt8]) throws(Secp256k1Error) -> PublicKey {
            guard messageHash.count == 32 else { throw .invalidMessageHashLength(messageHash.count) }
            var signature = secp256k1_ecdsa_recoverable_signature()
            guard secp256k1_ecdsa_recoverable_signature_parse_compact(
                secp256k1StaticContext, &signature, bytes, Int32(bytes[64])) == 1
            else { throw .unrecoverableSignature }
            var recovered = secp256k1_pubkey()
            guard secp256k1_ecdsa_recover(secp256k1StaticContext, &recovered, &signature, messageHash) == 1 else {
                throw .unrecoverableSignature
            }
            return PublicKey(parsed: recovered)
        }

        /// The 65 bytes as lowercase hex.
        public var description: String { Hex.encode(bytes) }
    }
}
