import Crypto

/// The Noise SymmetricState: chaining key `ck`, handshake hash `h` and the current handshake cipher.
///
/// Secrets (`ck`, `k`) live in `SymmetricKey`, whose storage is zeroed when released.
public struct NoiseSymmetricState: Sendable {
    /// The only protocol SNaP2P speaks. Exactly 32 bytes, so it is used as `h` unhashed.
    public static let protocolName = "Noise_XX_25519_ChaChaPoly_SHA256"

    /// Which HKDF argument order MixKey and Split use.
    public private(set) var schedule: NoiseKeySchedule
    /// `ck`.
    private(set) var chainingKey: SymmetricKey
    /// `h`: binds every handshake byte; after the handshake it identifies the session.
    public private(set) var handshakeHash: [UInt8]
    /// `k` and `n`; `nil` until the first MixKey.
    private(set) var cipher: NoiseCipherState?

    /// InitializeSymmetric(protocol_name).
    public init(protocolName: String = NoiseSymmetricState.protocolName, schedule: NoiseKeySchedule) {
        var name = Array(protocolName.utf8)
        if name.count <= SHA256.byteCount {
            name += [UInt8](repeating: 0, count: SHA256.byteCount - name.count)
        } else {
            name = Array(SHA256.hash(data: name))
        }
        self.schedule = schedule
        self.handshakeHash = name
        self.chainingKey = SymmetricKey(data: name)
    }

    /// Switches the HKDF argument order. Only before the first MixKey, when no key depends on the
    /// schedule yet; afterwards ``NoiseError/invalidState``.
    public mutating func select(schedule: NoiseKeySchedule) throws(NoiseError) {
        guard cipher == nil else { throw .invalidState }
        self.schedule = schedule
    }

    /// MixHash: `h = SHA-256(h || data)`.
    public mutating func mixHash(_ data: [UInt8]) {
        var hasher = SHA256()
        hasher.update(data: handshakeHash)
        hasher.update(data: data)
        handshakeHash = Array(hasher.finalize())
    }

    /// MixKey: derives a new `ck` and `k` from `inputKeyMaterial` and resets `n` to 0.
    public mutating func mixKey(_ inputKeyMaterial: [UInt8]) {
        inputKeyMaterial.withUnsafeBytes { mixKey($0) }
    }

    mutating func mixKey(_ inputKeyMaterial: UnsafeRawBufferPointer) {
        let derived = schedule.mixKey(chainingKey: chainingKey, inputKeyMaterial: inputKeyMaterial)
        chainingKey = derived.chainingKey
        cipher = NoiseCipherState(key: derived.cipherKey)
    }

    /// EncryptAndHash: encrypts with AD = `h` once a key exists (plaintext before), then mixes the result into `h`.
    public mutating func encryptAndHash(_ plaintext: [UInt8]) throws(NoiseError) -> [UInt8] {
        var ciphertext = plaintext
        if var cipher {
            ciphertext = try cipher.encrypt(plaintext, associatedData: handshakeHash)
            self.cipher = cipher
        }
        mixHash(ciphertext)
        return ciphertext
    }

    /// DecryptAndHash: the mirror of ``encryptAndHash(_:)``.
    public mutating func decryptAndHash(_ ciphertext: [UInt8]) throws(NoiseError) -> [UInt8] {
        var plaintext = ciphertext
        if var cipher {
            plaintext = try cipher.decrypt(ciphertext, associatedData: handshakeHash)
            self.cipher = cipher
        }
        mixHash(ciphertext)
        return plaintext
    }

    /// Split: the initiator-to-responder and responder-to-initiator transport cipher states.
    public func split() -> (initiatorToResponder: NoiseCipherState, responderToInitiator: NoiseCipherState) {
        let (first, second) = schedule.split(chainingKey: chainingKey)
        return (NoiseCipherState(key: first), NoiseCipherState(key: second))
    }
}
