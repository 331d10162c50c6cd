import Crypto
import Foundation
import _CryptoExtras

/// A BIP-39 seed phrase (English word list): the human-writable backup from which Leather, Xverse
/// and the reference derive every Stacks key.
///
/// Swift strings cannot be wiped, so the words live as long as this value; seeds and entropy that
/// pass through byte buffers here are zeroed after use.
public struct Mnemonic: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Word counts BIP-39 defines (128 to 256 bits of entropy in 32-bit steps).
    public static let allowedWordCounts: [Int] = [12, 15, 18, 21, 24]
    /// Longest phrase text accepted, checked before any normalization or splitting.
    public static let maximumPhraseBytes = 4096

    /// The words, lowercase, in order.
    public let words: [String]

    /// The canonical phrase: the words separated by single spaces (the form that is hashed into the seed).
    public var phrase: String { words.joined(separator: " ") }

    /// Draws a 24-word phrase (256 bits of entropy) from the system's cryptographic random source.
    public static func generate() -> Mnemonic {
        var entropy = SecureRandom.bytes(32)
        defer { secureZero(&entropy) }
        // 32 bytes is a valid entropy length, so this cannot throw.
        return try! Mnemonic(entropy: entropy)
    }

    /// Encodes entropy (16, 20, 24, 28 or 32 bytes) as its phrase, with the SHA-256 checksum bits appended.
    public init(entropy: [UInt8]) throws(MnemonicError) {
        guard [16, 20, 24, 28, 32].contains(entropy.count) else { throw .invalidEntropyLength(entropy.count) }
        // At most 8 checksum bits, so the first hash byte holds all of them.
        var bits = entropy
        bits.append(Array(SHA256.hash(data: entropy))[0])
        defer { secureZero(&bits) }
        let wordCount = entropy.count * 8 * 33 / 32 / 11
        words = (0..<wordCount).map { BIP39WordList.english[Self.elevenBits(of: bits, at: $0 * 11)] }
    }

    /// Parses and validates a phrase. The text is NFKD-normalized and lowercased; any run of
    /// whitespace separates words.
    public init(phrase text: String) throws(MnemonicError) {
        guard text.utf8.count <= Self.maximumPhraseBytes else { throw .phraseTooLong(byteCount: text.utf8.count) }
        let candidates = text.decomposedStringWithCompatibilityMapping.lowercased()
            .split(whereSeparator: \.isWhitespace)
        guard Self.allowedWordCounts.contains(candidates.count) else { throw .invalidWordCount(candidates.count) }

        let entropyBytes = candidates.count * 11 * 32 / 33 / 8
        let checksumBits = candidates.count * 11 - entropyBytes * 8
        // Entropy followed by one byte whose top `checksumBits` bits are the checksum.
        var bits = [UInt8](repeating: 0, count: entropyBytes + 1)
        defer { secureZero(&bits) }
        var words: [String] = []
        words.reserveCapacity(candidates.count)
        for (offset, candidate) in candidates.enumerated() {
            guard let index = BIP39WordList.englishIndex[String(candidate)] else {
                throw .unknownWord(position: offset + 1)
            }
            for bit in 0..<11 where index & (1 << (10 - bit)) != 0 {
                let position = offset * 11 + bit
                bits[position / 8] |= 0x80 >> UInt8(position % 8)
            }
            words.append(BIP39WordList.english[index])
        }
        var entropy = Array(bits[..<entropyBytes])
        defer { secureZero(&entropy) }
        let expected = Array(SHA256.hash(data: entropy))[0] >> UInt8(8 - checksumBits)
        guard bits[entropyBytes] >> UInt8(8 - checksumBits) == expected else { throw .invalidChecksum }
        self.words = words
    }

    /// The 64-byte BIP-39 seed: PBKDF2-HMAC-SHA512(phrase, "mnemonic" + NFKD(passphrase), 2048 rounds).
    /// The caller owns the result and should zero it when done.
    public func seed(passphrase: String = "") -> [UInt8] {
        var password = Array(phrase.utf8)
        var salt = Array(("mnemonic" + passphrase.decomposedStringWithCompatibilityMapping).utf8)
        defer {
            secureZero(&password)
            secureZero(&salt)
        }
        do {
            // BIP-39 fixes 2048 rounds, below CryptoExtras' checked minimum.
            let key = try KDF.Insecure.PBKDF2.deriveKey(
                from: password, salt: salt, using: .sha512, outputByteCount: 64, unsafeUncheckedRounds: 2048)
            return key.withUnsafeBytes { Array($0) }
        } catch {
            // BoringSSL fails here only when it cannot allocate.
            fatalError("PBKDF2-HMAC-SHA512 failed: \(error)")
        }
    }

    /// Redacted: a phrase must never reach a log.
    public var description: String { "Mnemonic(\(words.count) words, redacted)" }
    /// Redacted, like ``description``.
    public var debugDescription: String { description }
    /// Empty, so `dump` and debuggers do not print the words either.
    public var customMirror: Mirror { Mirror(self, children: [:]) }

    /// Reads bits `start ..< start + 11` (most significant first) as a word index.
    private static func elevenBits(of bytes: [UInt8], at start: Int) -> Int {
        var value = 0
        for position in start..<(start + 11) {
            let bit = Int(bytes[position / 8] >> UInt8(7 - position % 8)) & 1
            value = value << 1 | bit
        }
        return value
    }
}

/// Why a phrase or entropy is not a valid BIP-39 mnemonic.
public enum MnemonicError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The phrase does not have 12, 15, 18, 21 or 24 words.
    case invalidWordCount(Int)
    /// The word at this 1-based position is not in the English word list (the word itself is not
    /// repeated: it is part of a secret).
    case unknownWord(position: Int)
    /// Every word is valid but the checksum does not match: a word is wrong or the order is.
    case invalidChecksum
    /// Entropy must be 16, 20, 24, 28 or 32 bytes.
    case invalidEntropyLength(Int)
    /// The text is longer than ``Mnemonic/maximumPhraseBytes``.
    case phraseTooLong(byteCount: Int)

    public var description: String {
        switch self {
        case .invalidWordCount(let count):
            "a seed phrase has 12, 15, 18, 21 or 24 words, this one has \(count)"
        case .unknownWord(let position):
            "word \(position) is not in the BIP-39 English word list"
        case .invalidChecksum:
            "the seed phrase checksum does not match (a word is wrong or out of order)"
        case .invalidEntropyLength(let count):
            "BIP-39 entropy is 16, 20, 24, 28 or 32 bytes, not \(count)"
        case .phraseTooLong(let byteCount):
            "the seed phrase text is \(byteCount) bytes, more than the \(Mnemonic.maximumPhraseBytes) accepted"
        }
    }
}
