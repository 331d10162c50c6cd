import Crypto

/// How MixKey and Split feed HKDF-SHA256. The only place where SNaP2P v1 departs from Noise.
public enum NoiseKeySchedule: Sendable, Hashable, CustomStringConvertible {
    /// The SNaP2P v1 wire (the TypeScript reference): `HKDF(IKM = ck, salt = empty, info = dh)` in
    /// MixKey and `HKDF(IKM = ck, salt = empty, info = empty)` in Split.
    case reference
    /// The Noise specification: `HKDF(salt = ck, IKM = dh, info = empty)`; what published Noise
    /// test vectors exercise.
    case standard

    /// `reference` or `standard`, as the CLI and its JSON events name the schedule.
    public var description: String {
        switch self {
        case .reference: "reference"
        case .standard: "standard"
        }
    }

    /// Derives the next chaining key and a cipher key from `inputKeyMaterial` (a DH result).
    func mixKey(
        chainingKey: SymmetricKey,
        inputKeyMaterial: UnsafeRawBufferPointer
    ) -> (chainingKey: SymmetricKey, cipherKey: SymmetricKey) {
        derive(chainingKey: chainingKey, inputKeyMaterial: inputKeyMaterial)
    }

    /// Derives the two transport keys: the initiator sends with the first, the responder with the second.
    func split(chainingKey: SymmetricKey) -> (SymmetricKey, SymmetricKey) {
        derive(chainingKey: chainingKey, inputKeyMaterial: UnsafeRawBufferPointer(start: nil, count: 0))
    }

    private func derive(
        chainingKey: SymmetricKey,
        inputKeyMaterial: UnsafeRawBufferPointer
    ) -> (SymmetricKey, SymmetricKey) {
        let output: SymmetricKey
        switch self {
        case .reference:
            output = HKDF<SHA256>.deriveKey(
                inputKeyMaterial: chainingKey,
                salt: [UInt8](),
                info: inputKeyMaterial,
                outputByteCount: 64
            )
        case .standard:
            output = chainingKey.withUnsafeBytes { salt in
                HKDF<SHA256>.deriveKey(
                    inputKeyMaterial: SymmetricKey(data: inputKeyMaterial),
                    salt: salt,
                    info: [UInt8](),
                    outputByteCount: 64
                )
            }
        }
        return output.withUnsafeBytes { bytes in
            (
                SymmetricKey(data: UnsafeRawBufferPointer(rebasing: bytes[0..<32])),
                SymmetricKey(data: UnsafeRawBufferPointer(rebasing: bytes[32..<64]))
            )
        }
    }
}
