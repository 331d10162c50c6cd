import Crypto

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One direction of a Noise channel: a ChaCha20-Poly1305 key and its 64-bit counter nonce.
///
/// The nonce on the wire is 4 zero bytes followed by the counter in little-endian order. The counter
/// never wraps: at 2^64 - 1 (reserved by the Noise specification) every call throws
/// ``NoiseError/nonceExhausted``. A failed decrypt leaves the counter where it was, so the caller
/// decides whether the channel survives (SNaP2P closes it).
public struct NoiseCipherState: Sendable {
    /// The counter value that may never be used.
    static let exhaustedNonce = UInt64.max
    /// Bytes the AEAD adds to every plaintext.
    public static let tagLength = 16
    /// Bytes in a ChaCha20-Poly1305 key.
    public static let keyLength = 32
    /// Bytes in the AEAD nonce: 4 zero bytes || 64-bit little-endian counter.
    static let nonceLength = 12

    let key: SymmetricKey
    /// The counter the next seal or open uses.
    public internal(set) var nonce: UInt64 = 0

    /// A cipher state for a 32-byte key, starting at nonce 0.
    public init(key: [UInt8]) throws(NoiseError) {
        guard key.count == Self.keyLength else { throw .invalidKey }
        self.init(key: SymmetricKey(data: key))
    }

    init(key: SymmetricKey) {
        self.key = key
    }

    /// Encrypts `plaintext` with the next nonce and appends ciphertext || tag to `output`.
    ///
    /// Appending into a caller-owned buffer lets the transport build whole frames in one reused
    /// allocation on the hot path.
    public mutating func seal(
        _ plaintext: [UInt8],
        associatedData: [UInt8] = [],
        appendingTo output: inout [UInt8]
    ) throws(NoiseError) {
        guard nonce != Self.exhaustedNonce else { throw .nonceExhausted }
        let box: ChaChaPoly.SealedBox
        do {
            box = try ChaChaPoly.seal(plaintext, using: key, nonce: wireNonce(), authenticating: associatedData)
        } catch {
            throw .invalidKey
        }
        nonce += 1
        // `combined` is nonce || ciphertext || tag; the wire carries the last two.
        box.combined.withUnsafeBytes { combined in
            output.append(contentsOf: combined[Self.nonceLength...])
        }
    }

    /// Verifies and decrypts `ciphertext` (ciphertext || tag) with the next nonce and appends the
    /// plaintext to `output`. On failure nothing is appended and the nonce does not move.
    public mutating func open(
        _ ciphertext: some Collection<UInt8>,
        associatedData: [UInt8] = [],
        appendingTo output: inout [UInt8]
    ) throws(NoiseError) {
        let bytes = Array(ciphertext)
        let opened = bytes.withUnsafeBytes { raw in
            Result { () throws(NoiseError) in try open(raw, associatedData: associatedData) }
        }
        try opened.get().withUnsafeBytes { output.append(contentsOf: $0) }
    }

    /// Verifies and decrypts `ciphertext` (ciphertext || tag) where it lies and returns the
    /// plaintext: the session's receive path, which copies each frame only into the AEAD's input.
    /// On failure the nonce does not move.
    public mutating func open(_ ciphertext: UnsafeRawBufferPointer, associatedData: [UInt8] = []) throws(NoiseError) -> Data {
        guard nonce != Self.exhaustedNonce else { throw .nonceExhausted }
        guard ciphertext.count >= Self.tagLength else { throw .messageTooShort }
        let tagStart = ciphertext.count - Self.tagLength
        let plaintext: Data
        do {
            let box = try ChaChaPoly.SealedBox(
                nonce: wireNonce(),
                ciphertext: UnsafeRawBufferPointer(rebasing: ciphertext[..<tagStart]),
                tag: UnsafeRawBufferPointer(rebasing: ciphertext[tagStart...])
            )
            plaintext = try ChaChaPoly.open(box, using: key, authenticating: associatedData)
        } catch {
            throw .decryptFailed
        }
        nonce += 1
        return plaintext
    }

    /// Encrypts into a new array: for handshake messages, where speed does not matter.
    public mutating func encrypt(_ plaintext: [UInt8], associatedData: [UInt8] = []) throws(NoiseError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(plaintext.count + Self.tagLength)
        try seal(plaintext, associatedData: associatedData, appendingTo: &output)
        return output
    }

    /// Decrypts into a new array: for handshake messages, where speed does not matter.
    public mutating func decrypt(_ ciphertext: some Collection<UInt8>, associatedData: [UInt8] = []) throws(NoiseError) -> [UInt8] {
        var output: [UInt8] = []
        try open(ciphertext, associatedData: associatedData, appendingTo: &output)
        return output
    }

    private func wireNonce() -> ChaChaPoly.Nonce {
        Self.withWireNonce(nonce) { try! ChaChaPoly.Nonce(data: $0) }
    }

    /// Lends the 12-byte wire nonce for `counter` without a heap allocation.
    private static func withWireNonce<Result>(
        _ counter: UInt64,
        _ body: (UnsafeRawBufferPointer) -> Result
    ) -> Result {
        withUnsafeTemporaryAllocation(byteCount: Self.nonceLength, alignment: 8) { buffer in
            buffer.storeBytes(of: 0, toByteOffset: 0, as: UInt32.self)
            buffer.storeBytes(of: counter.littleEndian, toByteOffset: 4, as: UInt64.self)
            return body(UnsafeRawBufferPointer(buffer))
        }
    }
}
