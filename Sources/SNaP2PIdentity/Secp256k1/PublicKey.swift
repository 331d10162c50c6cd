import CSecp256k1
import SNaP2PWire

extension Secp256k1 {
    /// A secp256k1 public key, always held in the 33-byte compressed SEC1 form the protocol uses.
    public struct PublicKey: Hashable, Sendable, CustomStringConvertible {
        /// The 33-byte compressed encoding (`02`/`03` || x).
        public let bytes: [UInt8]

        /// Parses any valid SEC1 encoding (compressed 33 or uncompressed/hybrid 65 bytes) and keeps it compressed.
        public init(bytes: [UInt8]) throws(Secp256k1Error) {
            var parsed = secp256k1_pubkey()
            guard secp256k1_ec_pubkey_parse(secp256k1StaticContext, &parsed, bytes, bytes.count) == 1 else {
                throw .invalidPublicKey
            }
            self.init(parsed: parsed)
        }

        /// Serializes a key libsecp256k1 produced.
        init(parsed: secp256k1_pubkey) {
            var key = parsed
            var output = [UInt8](repeating: 0, count: 33)
            var length = output.count
            _ = secp256k1_ec_pubkey_serialize(
                secp256k1StaticContext, &output, &length, &key, UInt32(SECP256K1_EC_COMPRESSED))
            bytes = output
        }

        /// The compressed key as lowercase hex.
        public var description: String { Hex.encode(bytes) }
    }
}

