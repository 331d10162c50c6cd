import Crypto
import SNaP2PIdentity

/// BIP-39 phrases typed or pasted by a user, or decrypted from a wallet file.
///
/// Checks: text over the limit is refused before any normalisation; a parsed phrase has an
/// allowed word count and parses back from its canonical form; a phrase built from valid words
/// with any whitespace and letter case parses exactly when its checksum (computed here) matches,
/// and fails only with `invalidChecksum` otherwise; entropy round-trips through its phrase.
enum MnemonicTarget {
    /// The English list, recovered through the public API: the first word of a phrase is the top
    /// 11 bits of its entropy.
    static let words: [String] = (0..<2048).map { index in
        var entropy = [UInt8](repeating: 0, count: 16)
        entropy[0] = UInt8(index >> 3)
        entropy[1] = UInt8(index & 7) << 5
        return try! Mnemonic(entropy: entropy).words[0]
    }

    static let separators = [" ", "  ", "\t", "\n", "\r\n", "\u{3000}", "\u{00A0}", " \u{2003} "]

    static let target = FuzzTarget("mnemonic", dictionary: "mnemonic", maximumLength: 5000, prepare: { _ = words }) { bytes in
        var input = FuzzInput(bytes)
        switch input.int(in: 0...2) {
        case 0: checkText(String(decoding: input.rest(), as: UTF8.self))
        case 1: checkBuiltPhrase(&input)
        default: checkEntropy(&input)
        }
    }

    static func checkText(_ text: String) {
        let limit = text.utf8.count > Mnemonic.maximumPhraseBytes ? 1024 : 64 * text.utf8.count + 65536
        let result = withAllocationLimit(limit, "Mnemonic(phrase:) of \(text.utf8.count) bytes") {
            Result { () throws(MnemonicError) in try Mnemonic(phrase: text) }
        }
        if text.utf8.count > Mnemonic.maximumPhraseBytes {
            return invariant(result.failureValue == .phraseTooLong(byteCount: text.utf8.count), "over-long phrase gave \(result)")
        }
        guard case .success(let mnemonic) = result else { return }
        invariant(Mnemonic.allowedWordCounts.contains(mnemonic.words.count), "\(mnemonic.words.count) words")
        invariant((try? Mnemonic(phrase: mnemonic.phrase))?.words == mnemonic.words, "the canonical phrase does not parse back")
    }

    /// Valid words with fuzz-chosen indices, separators and case: the checksum decides.
    static func checkBuiltPhrase(_ input: inout FuzzInput) {
        let count = input.pick(Mnemonic.allowedWordCounts)
        let indices = (0..<count).map { _ in input.int(in: 0...2047) }
        var text = input.bool() ? " " : ""
        for (position, index) in indices.enumerated() {
            var word = words[index]
            switch input.int(in: 0...7) {
            case 1: word = word.uppercased()
            case 2: word = word.prefix(1).uppercased() + word.dropFirst()
            default: break
            }
            if position > 0 { text += input.pick(separators) }
            text += word
        }
        if input.bool() { text += "\n" }

        // Entropy bits then checksum bits, most significant first.
        var bits: [Bool] = []
        for index in indices { bits += (0..<11).map { index & (1 << (10 - $0)) != 0 } }
        let entropyBits = count * 11 * 32 / 33
        var entropy = [UInt8](repeating: 0, count: entropyBits / 8)
        for position in 0..<entropyBits where bits[position] { entropy[position / 8] |= 0x80 >> UInt8(position % 8) }
        let checksumBits = count * 11 - entropyBits
        let hash = Array(SHA256.hash(data: entropy))[0]
        let valid = (0..<checksumBits).allSatisfy { bits[entropyBits + $0] == (hash & (0x80 >> UInt8($0)) != 0) }

        let result = Result { () throws(MnemonicError) in try Mnemonic(phrase: text) }
        if valid {
            invariant(result.successValue?.words == indices.map { words[$0] }, "a valid phrase gave \(result)")
            invariant((try? Mnemonic(entropy: entropy))?.words == indices.map { words[$0] }, "entropy does not give the phrase")
        } else {
            invariant(result.failureValue == .invalidChecksum, "a phrase with a bad checksum gave \(result)")
        }
    }

    static func checkEntropy(_ input: inout FuzzInput) {
        let entropy = input.bytes(input.int(in: 0...40))
        let result = Result { () throws(MnemonicError) in try Mnemonic(entropy: entropy) }
        guard [16, 20, 24, 28, 32].contains(entropy.count) else {
            return invariant(result.failureValue == .invalidEntropyLength(entropy.count), "entropy of \(entropy.count) bytes gave \(result)")
        }
        guard case .success(let mnemonic) = result else { return invariant(false, "valid entropy refused: \(result)") }
        invariant(mnemonic.words.count == entropy.count * 3 / 4, "\(mnemonic.words.count) words for \(entropy.count) bytes")
        invariant((try? Mnemonic(phrase: mnemonic.phrase))?.words == mnemonic.words, "a generated phrase does not parse")
    }
}
