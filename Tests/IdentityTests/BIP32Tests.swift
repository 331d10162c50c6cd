import Testing
import TestSupport
@testable import SNaP2PIdentity

/// BIP-32 test vectors 1 and 2 (bitcoin/bips bip-0032.mediawiki): every chain's ext prv.
private let bip32Vectors: [(seed: String, chains: [(path: String, xprv: String)])] = [
    (
        "000102030405060708090a0b0c0d0e0f",
        [
            ("m", "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi"),
            ("m/0'", "xprv9uHRZZhk6KAJC1avXpDAp4MDc3sQKNxDiPvvkX8Br5ngLNv1TxvUxt4cV1rGL5hj6KCesnDYUhd7oWgT11eZG7XnxHrnYeSvkzY7d2bhkJ7"),
            ("m/0'/1", "xprv9wTYmMFdV23N2TdNG573QoEsfRrWKQgWeibmLntzniatZvR9BmLnvSxqu53Kw1UmYPxLgboyZQaXwTCg8MSY3H2EU4pWcQDnRnrVA1xe8fs"),
            ("m/0'/1/2'", "xprv9z4pot5VBttmtdRTWfWQmoH1taj2axGVzFqSb8C9xaxKymcFzXBDptWmT7FwuEzG3ryjH4ktypQSAewRiNMjANTtpgP4mLTj34bhnZX7UiM"),
            ("m/0'/1/2'/2", "xprvA2JDeKCSNNZky6uBCviVfJSKyQ1mDYahRjijr5idH2WwLsEd4Hsb2Tyh8RfQMuPh7f7RtyzTtdrbdqqsunu5Mm3wDvUAKRHSC34sJ7in334"),
            ("m/0'/1/2'/2/1000000000", "xprvA41z7zogVVwxVSgdKUHDy1SKmdb533PjDz7J6N6mV6uS3ze1ai8FHa8kmHScGpWmj4WggLyQjgPie1rFSruoUihUZREPSL39UNdE3BBDu76"),
        ]
    ),
    (
        "fffcf9f6f3f0edeae7e4e1dedbd8d5d2cfccc9c6c3c0bdbab7b4b1aeaba8a5a29f9c999693908d8a8784817e7b7875726f6c696663605d5a5754514e4b484542",
        [
            ("m", "xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3LqFtT2emdEXVYsCzC2U"),
            ("m/0", "xprv9vHkqa6EV4sPZHYqZznhT2NPtPCjKuDKGY38FBWLvgaDx45zo9WQRUT3dKYnjwih2yJD9mkrocEZXo1ex8G81dwSM1fwqWpWkeS3v86pgKt"),
            ("m/0/2147483647'", "xprv9wSp6B7kry3Vj9m1zSnLvN3xH8RdsPP1Mh7fAaR7aRLcQMKTR2vidYEeEg2mUCTAwCd6vnxVrcjfy2kRgVsFawNzmjuHc2YmYRmagcEPdU9"),
            ("m/0/2147483647'/1", "xprv9zFnWC6h2cLgpmSA46vutJzBcfJ8yaJGg8cX1e5StJh45BBciYTRXSd25UEPVuesF9yog62tGAQtHjXajPPdbRCHuWS6T8XA2ECKADdw4Ef"),
            ("m/0/2147483647'/1/2147483646'", "xprvA1RpRA33e1JQ7ifknakTFpgNXPmW2YvmhqLQYMmrj4xJXXWYpDPS3xz7iAxn8L39njGVyuoseXzU6rcxFLJ8HFsTjSyQbLYnMpCqE2VbFWc"),
            ("m/0/2147483647'/1/2147483646'/2", "xprvA2nrNbFZABcdryreWet9Ea4LvTJcGsqrMzxHx98MMrotbir7yrKCEXw7nadnHM8Dq38EGfSh6dqA9QWTyefMLEcBYJUuekgW4BYPJcr9E7j"),
        ]
    ),
]

@Suite struct BIP32Tests {
    @Test(arguments: 0..<bip32Vectors.count)
    func bip32TestVector(_ number: Int) throws {
        let vector = bip32Vectors[number]
        let master = try ExtendedPrivateKey(seed: [UInt8](hex: vector.seed))
        for chain in vector.chains {
            let path = try DerivationPath(chain.path)
            #expect(try master.derived(path).serialized == chain.xprv, "vector \(number + 1), chain \(chain.path)")
        }
        // Deriving step by step gives the same keys as deriving by path.
        var key = master
        for (depth, chain) in vector.chains.enumerated().dropFirst() {
            key = try key.derivedChild(try DerivationPath(chain.path).indices.last!)
            #expect(key.depth == UInt8(depth))
            #expect(key.serialized == chain.xprv)
        }
    }

    @Test(arguments: TrezorVector.all)
    func trezorSeedGivesTheRootXprv(_ vector: TrezorVector) throws {
        let seed = try Mnemonic(phrase: vector.phrase).seed(passphrase: TrezorVector.passphrase)
        #expect(try ExtendedPrivateKey(seed: seed).serialized == vector.rootXprv)
    }

    @Test func childRecordsItsParent() throws {
        let master = try ExtendedPrivateKey(seed: [UInt8](hex: bip32Vectors[0].seed))
        // Fingerprint of vector 1's master key, from its m/0H xpub.
        #expect(master.fingerprint == 0x3442193e)
        let child = try master.derivedChild(DerivationPath.hardenedOffset)
        #expect(child.parentFingerprint == master.fingerprint)
        #expect(child.childIndex == DerivationPath.hardenedOffset)
        #expect(master.parentFingerprint == 0 && master.depth == 0)
    }

    @Test func seedLengthIsChecked() {
        #expect(throws: BIP32Error.invalidSeedLength(15)) { try ExtendedPrivateKey(seed: [UInt8](repeating: 1, count: 15)) }
        #expect(throws: BIP32Error.invalidSeedLength(65)) { try ExtendedPrivateKey(seed: [UInt8](repeating: 1, count: 65)) }
    }

    @Test func descriptionIsRedacted() throws {
        let master = try ExtendedPrivateKey(seed: [UInt8](hex: bip32Vectors[0].seed))
        #expect(!"\(master)".contains("xprv"))
        let secret = master.privateKey.withUnsafeBytes { Array($0).hex }
        #expect(!String(reflecting: master).contains(secret))
        #expect(!"\(master)".contains(secret))
    }

    @Test func base58CheckKeepsLeadingZeros() {
        // Version 0 and a zero hash160: Bitcoin's well-known all-ones address.
        #expect(Base58Check.encode([UInt8](repeating: 0, count: 21)) == "1111111111111111111114oLvT2")
    }
}

@Suite struct DerivationPathTests {
    @Test func parsesAndPrints() throws {
        let path = try DerivationPath("m/44'/5757'/0'/0/0")
        #expect(path.indices == [0x8000_002C, 0x8000_167D, 0x8000_0000, 0, 0])
        #expect(path.description == "m/44'/5757'/0'/0/0")
        #expect(path == DerivationPath.stacksAccount(0))
        #expect(try DerivationPath("m/44h/5757H/0'/0/3") == DerivationPath.stacksAccount(3))
        #expect(try DerivationPath("m").indices.isEmpty)
        #expect(try DerivationPath("m/2147483647'").indices == [0xFFFF_FFFF])
    }

    @Test func rejectsMalformedPaths() {
        #expect(throws: DerivationPathError.missingMasterPrefix) { try DerivationPath("44'/0") }
        #expect(throws: DerivationPathError.missingMasterPrefix) { try DerivationPath("") }
        #expect(throws: DerivationPathError.missingMasterPrefix) { try DerivationPath("M/0") }
        #expect(throws: DerivationPathError.invalidComponent(position: 2)) { try DerivationPath("m/0//1") }
        #expect(throws: DerivationPathError.invalidComponent(position: 1)) { try DerivationPath("m/") }
        #expect(throws: DerivationPathError.invalidComponent(position: 1)) { try DerivationPath("m/-1") }
        #expect(throws: DerivationPathError.invalidComponent(position: 1)) { try DerivationPath("m/+1") }
        #expect(throws: DerivationPathError.invalidComponent(position: 2)) { try DerivationPath("m/1/x'") }
        #expect(throws: DerivationPathError.invalidComponent(position: 1)) { try DerivationPath("m/'") }
        #expect(throws: DerivationPathError.invalidComponent(position: 1)) { try DerivationPath("m/0''") }
        #expect(throws: DerivationPathError.invalidComponent(position: 1)) { try DerivationPath("m/٣") }
        #expect(throws: DerivationPathError.indexOutOfRange(position: 1)) { try DerivationPath("m/2147483648") }
        #expect(throws: DerivationPathError.invalidComponent(position: 1)) { try DerivationPath("m/99999999999999999999") }
    }
}
