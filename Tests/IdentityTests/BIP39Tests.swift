import Crypto
import Testing
import TestSupport
@testable import SNaP2PIdentity

/// One row of bip39-trezor.json: entropy, phrase, seed (passphrase "TREZOR"), BIP-32 root xprv.
struct TrezorVector: CustomTestStringConvertible, Sendable {
    let entropy: String
    let phrase: String
    let seed: String
    let rootXprv: String

    static let passphrase = Vectors.value(Vectors.bip39Trezor, "passphrase") as! String
    static let all: [TrezorVector] = (Vectors.value(Vectors.bip39Trezor, "english") as! [[String]]).map {
        TrezorVector(entropy: $0[0], phrase: $0[1], seed: $0[2], rootXprv: $0[3])
    }

    var testDescription: String { "entropy \(entropy)" }
}

@Suite struct BIP39Tests {
    @Test func embeddedWordListIsTheCanonicalEnglishFile() {
        #expect(BIP39WordList.english.count == 2048)
        #expect(Set(BIP39WordList.english).count == 2048)
        #expect(BIP39WordList.english.first == "abandon")
        #expect(BIP39WordList.english.last == "zoo")
        // SHA-256 of bitcoin/bips bip-0039/english.txt (one word per line, trailing newline).
        let file = BIP39WordList.english.joined(separator: "\n") + "\n"
        #expect(Array(SHA256.hash(data: Array(file.utf8))).hex
            == "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda")
    }

    @Test func trezorVectorsAreAllPresent() {
        #expect(TrezorVector.all.count == 24)
        #expect(TrezorVector.passphrase == "TREZOR")
    }

    @Test(arguments: TrezorVector.all)
    func entropyEncodesToThePhrase(_ vector: TrezorVector) throws {
        #expect(try Mnemonic(entropy: [UInt8](hex: vector.entropy)).phrase == vector.phrase)
    }

    @Test(arguments: TrezorVector.all)
    func phraseGivesTheSeed(_ vector: TrezorVector) throws {
        let mnemonic = try Mnemonic(phrase: vector.phrase)
        #expect(mnemonic.phrase == vector.phrase)
        #expect(mnemonic.seed(passphrase: TrezorVector.passphrase).hex == vector.seed)
    }

    @Test func generatedPhrasesHave24WordsAndValidate() throws {
        let first = Mnemonic.generate()
        let second = Mnemonic.generate()
        #expect(first.words.count == 24)
        #expect(try Mnemonic(phrase: first.phrase).phrase == first.phrase)
        #expect(first.phrase != second.phrase)
    }

    @Test func wrongWordCountIsRejected() {
        #expect(throws: MnemonicError.invalidWordCount(11)) {
            try Mnemonic(phrase: Array(repeating: "abandon", count: 11).joined(separator: " "))
        }
        #expect(throws: MnemonicError.invalidWordCount(0)) { try Mnemonic(phrase: "  \n ") }
        #expect(throws: MnemonicError.invalidWordCount(25)) {
            try Mnemonic(phrase: Array(repeating: "abandon", count: 25).joined(separator: " "))
        }
    }

    @Test func unknownWordReportsItsPosition() {
        var words = TrezorVector.all[0].phrase.split(separator: " ").map(String.init)
        words[4] = "abandn"
        #expect(throws: MnemonicError.unknownWord(position: 5)) { try Mnemonic(phrase: words.joined(separator: " ")) }
        #expect(!MnemonicError.unknownWord(position: 5).description.contains("abandn"))
    }

    @Test func badChecksumIsRejected() {
        // "abandon" x 12 is all-zero entropy with checksum 0000, but SHA-256 of 16 zero bytes starts 0011.
        #expect(throws: MnemonicError.invalidChecksum) {
            try Mnemonic(phrase: Array(repeating: "abandon", count: 12).joined(separator: " "))
        }
        // Swapping two distinct words of a valid 24-word phrase breaks the checksum.
        var words = TrezorVector.all[23].phrase.split(separator: " ").map(String.init)
        words.swapAt(0, 1)
        #expect(words[0] != words[1])
        #expect(throws: MnemonicError.invalidChecksum) { try Mnemonic(phrase: words.joined(separator: " ")) }
    }

    @Test func extraWhitespaceAndCaseAreTolerated() throws {
        let vector = TrezorVector.all[1]
        let messy = "  " + vector.phrase.uppercased().split(separator: " ").joined(separator: " \t\n  ") + "\n"
        let mnemonic = try Mnemonic(phrase: messy)
        #expect(mnemonic.phrase == vector.phrase)
        #expect(mnemonic.seed(passphrase: "TREZOR").hex == vector.seed)
    }

    @Test func phraseAndPassphraseAreNFKDNormalized() throws {
        // Fullwidth letters and an ideographic space decompose (NFKD) to ASCII.
        let vector = TrezorVector.all[0]
        let fullwidth = vector.phrase.unicodeScalars.map { scalar -> String in
            if scalar == " " { return "\u{3000}" }
            return String(UnicodeScalar(scalar.value - 0x61 + 0xFF41)!)
        }.joined()
        #expect(try Mnemonic(phrase: fullwidth).phrase == vector.phrase)
        // A precomposed and a decomposed passphrase give the same seed.
        let mnemonic = try Mnemonic(phrase: vector.phrase)
        #expect(mnemonic.seed(passphrase: "caf\u{E9}") == mnemonic.seed(passphrase: "cafe\u{301}"))
        #expect(mnemonic.seed(passphrase: "caf\u{E9}") != mnemonic.seed(passphrase: "cafe"))
    }

    @Test func limitsAreEnforced() {
        #expect(throws: MnemonicError.invalidEntropyLength(15)) { try Mnemonic(entropy: [UInt8](repeating: 0, count: 15)) }
        #expect(throws: MnemonicError.invalidEntropyLength(33)) { try Mnemonic(entropy: [UInt8](repeating: 0, count: 33)) }
        let huge = String(repeating: " ", count: Mnemonic.maximumPhraseBytes) + "abandon"
        #expect(throws: MnemonicError.phraseTooLong(byteCount: Mnemonic.maximumPhraseBytes + 7)) { try Mnemonic(phrase: huge) }
    }

    @Test func descriptionsAreRedacted() throws {
        let mnemonic = try Mnemonic(phrase: TrezorVector.all[0].phrase)
        #expect(!"\(mnemonic)".contains("abandon"))
        #expect(!String(reflecting: mnemonic).contains("abandon"))
    }
}
