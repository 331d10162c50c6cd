#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a wallet store operation failed. Descriptions name files and wallets, never secrets.
public enum WalletStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// New wallets need a password of at least this many characters.
    case passwordTooShort(minimum: Int)
    /// The password does not decrypt the wallet (or the file was tampered with). Nothing was changed.
    case wrongPassword
    /// No wallet has this name or id.
    case walletNotFound(String)
    /// Several wallets have this name (the reference allows it); use one of the ids.
    case ambiguousName(String, ids: [String])
    /// Another wallet already has this name.
    case nameTaken(String)
    /// Names are 1-64 characters without control characters or surrounding spaces.
    case invalidName(String)
    /// A wallet file can be read by other users (mode shown in octal): fix with `chmod 600`.
    case insecurePermissions(path: String, mode: UInt32)
    /// A file is not a wallet store file of a known version.
    case malformedFile(path: String, reason: String)
    /// A file is larger than any file this store writes.
    case fileTooLarge(path: String, maximumBytes: Int)
    /// The decrypted phrase does not give the address the file records: the file was altered.
    case addressMismatch(path: String)
    /// A system call failed.
    case fileSystem(operation: String, path: String, errno: Int32)
    /// A write was stopped before its rename (failure injection); the previous file is intact.
    case writeInterrupted(path: String)
    /// scrypt or AES-GCM failed inside BoringSSL (out of memory).
    case cryptoFailure(String)
    /// Key derivation from the stored phrase failed.
    case derivation(BIP32Error)

    public var description: String {
        switch self {
        case .passwordTooShort(let minimum):
            "the password must be at least \(minimum) characters"
        case .wrongPassword:
            "wrong password (the wallet file is unchanged)"
        case .walletNotFound(let name):
            "no wallet named \"\(name)\""
        case .ambiguousName(let name, let ids):
            "several wallets are named \"\(name)\"; use an id instead: \(ids.joined(separator: ", "))"
        case .nameTaken(let name):
            "a wallet named \"\(name)\" already exists"
        case .invalidName(let reason):
            "invalid wallet name: \(reason)"
        case .insecurePermissions(let path, let mode):
            "\(path) is readable by other users (mode \(String(mode, radix: 8))); run: chmod 600 \(path)"
        case .malformedFile(let path, let reason):
            "\(path) is not a valid wallet store file: \(reason)"
        case .fileTooLarge(let path, let maximumBytes):
            "\(path) is larger than \(maximumBytes) bytes"
        case .addressMismatch(let path):
            "\(path) decrypts to a seed phrase that does not give its recorded address"
        case .fileSystem(let operation, let path, let code):
            "\(operation) \(path): \(String(cString: strerror(code)))"
        case .writeInterrupted(let path):
            "writing \(path) was interrupted before it replaced the old file"
        case .cryptoFailure(let what):
            "\(what) failed"
        case .derivation(let error):
            error.description
        }
    }
}
