import Crypto
import Foundation
import _CryptoExtras

/// The wallet file's encryption (PROTOCOL.md §8): AES-256-GCM, no associated data, under
/// scrypt(UTF-8 password, 16-byte salt, N = 2^17, r = 8, p = 1, 32 bytes). The parameters are not
/// stored in the file, so they are fixed. One derivation takes about 0.6 s and 128 MiB: that is
/// what makes guessing passwords offline expensive.
enum WalletEncryption {
    static let scryptRounds = 1 << 17
    static let scryptBlockSize = 8
    static let scryptParallelism = 1
    static let saltLength = 16
    static let ivLength = 12
    static let tagLength = 16
    /// The name the file gives the KDF.
    static let kdfName = "scrypt"

    /// Encrypts `plaintext` under `password` with a fresh salt and IV.
    static func seal(_ plaintext: [UInt8], password: String) throws(WalletStoreError) -> WalletFile.Sealed {
        let salt = SecureRandom.bytes(saltLength)
        let iv = SecureRandom.bytes(ivLength)
        let key = try key(password: password, salt: salt)
        let box: AES.GCM.SealedBox
        do {
            box = try AES.GCM.seal(plaintext, using: key, nonce: AES.GCM.Nonce(data: iv))
        } catch {
            throw .cryptoFailure("AES-256-GCM encryption")
        }
        return WalletFile.Sealed(
            salt: Data(salt).base64EncodedString(),
            iv: Data(iv).base64EncodedString(),
            tag: box.tag.base64EncodedString(),
            ciphertext: box.ciphertext.base64EncodedString(),
            kdf: kdfName)
    }

    /// Decrypts a sealed phrase. The caller owns the plaintext and must zero it.
    /// A wrong password and a modified file look the same to AES-GCM: both are ``WalletStoreError/wrongPassword``.
    static func open(_ sealed: WalletFile.Sealed, password: String, path: String) throws(WalletStoreError) -> [UInt8] {
        guard sealed.kdf == kdfName else { throw .malformedFile(path: path, reason: "unknown kdf \"\(sealed.kdf)\"") }
        guard let salt = Data(base64Encoded: sealed.salt), salt.count == saltLength,
              let iv = Data(base64Encoded: sealed.iv), iv.count == ivLength,
              let tag = Data(base64Encoded: sealed.tag), tag.count == tagLength,
              let ciphertext = Data(base64Encoded: sealed.ciphertext), ciphertext.count <= Mnemonic.maximumPhraseBytes
        else {
            throw .malformedFile(path: path, reason: "crypto fields are not base64 of the expected lengths")
        }
        let box: AES.GCM.SealedBox
        do {
            box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: iv), ciphertext: ciphertext, tag: tag)
        } catch {
            throw .malformedFile(path: path, reason: "crypto fields do not form an AES-GCM box")
        }
        let key = try key(password: password, salt: Array(salt))
        guard var plaintext = try? AES.GCM.open(box, using: key) else { throw .wrongPassword }
        defer { plaintext.withUnsafeMutableBytes { secureZero($0) } }
        return Array(plaintext)
    }

    private static func key(password: String, salt: [UInt8]) throws(WalletStoreError) -> SymmetricKey {
        var passwordBytes = Array(password.utf8)
        defer { secureZero(&passwordBytes) }
        do {
            return try KDF.Scrypt.deriveKey(
                from: passwordBytes, salt: salt, outputByteCount: 32,
                rounds: scryptRounds, blockSize: scryptBlockSize, parallelism: scryptParallelism)
        } catch {
            throw .cryptoFailure("scrypt key derivation")
        }
    }
}
