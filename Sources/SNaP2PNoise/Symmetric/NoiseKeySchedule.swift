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

    /// HKDF-SHA256 with two 32-byte outputs (RFC 5869), written out as its three HMACs:
    /// `prk = HMAC(salt, ikm)`, `t1 = HMAC(prk, info || 1)`, `t2 = HMAC(prk, t1 || info || 2)`.
    /// The same bytes as swift-crypto's `HKDF.deriveKey` with fewer allocations (24 instead of 32
    /// per derivation; the four of a handshake were its largest source of them).
    private func derive(
        chainingKey: SymmetricKey,
        inputKeyMaterial: UnsafeRawBufferPointer
    ) -> (SymmetricKey, SymmetricKey) {
        let pseudoRandomKey: SymmetricKey
        let info: UnsafeRawBufferPointer
        switch self {
        case .reference:
            // An empty salt, which HMAC pads to the same key as HashLen zero bytes.
            pseudoRandomKey = chainingKey.withUnsafeBytes { ikm in
                SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: ikm, using: Self.emptySalt))
            }
            info = inputKeyMaterial
        case .standard:
            pseudoRandomKey = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: inputKeyMaterial, using: chainingKey))
            info = UnsafeRawBufferPointer(start: nil, count: 0)
        }
        var first = HMAC<SHA256>(key: pseudoRandomKey)
        first.update(data: info)
        first.update(data: Self.firstBlock)
        let firstOutput = first.finalize()
        var second = HMAC<SHA256>(key: pseudoRandomKey)
        firstOutput.withUnsafeBytes { second.update(data: $0) }
        second.update(data: info)
        second.update(data: Self.secondBlock)
        return (SymmetricKey(data: firstOutput), SymmetricKey(data: second.finalize()))
    }

    private static let emptySalt = SymmetricKey(data: [UInt8]())
    /// HKDF-Expand's block counters.
    private static let firstBlock: [UInt8] = [1], secondBlock: [UInt8] = [2]
}
