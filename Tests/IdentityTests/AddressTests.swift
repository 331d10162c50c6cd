import Foundation
import Testing
import TestSupport
@testable import SNaP2PIdentity

@Suite struct C32Tests {
    @Test(arguments: [
        [], [0], [0, 0], [0, 0, 0, 1], [1], [0xff], [0, 0xff, 0], [0x80] + [UInt8](repeating: 0, count: 9),
        [UInt8](repeating: 0, count: 24), [UInt8](repeating: 0xff, count: 24),
    ] as [[UInt8]])
    func roundTripsIncludingLeadingZeroBytes(bytes: [UInt8]) throws {
        let text = C32.encode(bytes)
        #expect(try C32.decode(text) == bytes)
        #expect(text.prefix { $0 == "0" }.count == bytes.prefix { $0 == 0 }.count)
    }

    @Test func leadingZeroBytesBecomeLeadingZeroDigits() {
        #expect(C32.encode([]) == "")
        #expect(C32.encode([0]) == "0")
        #expect(C32.encode([0, 0, 1]) == "001")
        #expect(C32.encode([31]) == "Z")
        #expect(C32.encode([32]) == "10")
        #expect(C32.encode([0x01, 0x00]) == "80")
    }

    @Test func randomRoundTrips() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let zeros = Int.random(in: 0...3, using: &generator)
            let body = (0..<Int.random(in: 0...30, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let bytes = [UInt8](repeating: 0, count: zeros) + body
            #expect(try C32.decode(C32.encode(bytes)) == bytes)
            #expect(try C32.decode(C32.encode(bytes).lowercased()) == bytes)
        }
    }

    @Test func decodingFoldsCaseAndCrockfordAliases() throws {
        #expect(try C32.decode("o") == C32.decode("0"))
        #expect(try C32.decode("IL") == C32.decode("11"))
        #expect(try C32.decode("il") == C32.decode("11"))
        #expect(try C32.decode("zz") == C32.decode("ZZ"))
        #expect(throws: C32.DecodingError.badCharacter("U", offset: 2)) { try C32.decode("12U") }
        #expect(throws: C32.DecodingError.badCharacter("é", offset: 0)) { try C32.decode("é") }
        #expect(throws: C32.DecodingError.badCharacter("-", offset: 1)) { try C32.decode("1-") }
    }

    @Test func checkRoundTripAndChecksum() throws {
        let payload = [UInt8](repeating: 0, count: 2) + [UInt8](repeating: 0xab, count: 18)
        for version in [0, 1, 22, 31] as [UInt8] {
            let text = C32.checkEncode(version: version, payload: payload)
            let decoded = try C32.checkDecode(text)
            #expect(decoded.version == version)
            #expect(decoded.payload == payload)
        }
        var text = Array(C32.checkEncode(version: 22, payload: payload))
        text[text.count - 1] = text.last == "0" ? "1" : "0"
        #expect(throws: C32.DecodingError.badChecksum) { try C32.checkDecode(String(text)) }
        #expect(throws: C32.DecodingError.tooShort) { try C32.checkDecode("P") }
        #expect(throws: C32.DecodingError.tooShort) { try C32.checkDecode("") }
        #expect(throws: C32.DecodingError.badCharacter("U", offset: 3)) { try C32.checkDecode("P00U") }
    }
}

@Suite struct StacksAddressTests {
    /// Every address the reference derived (keys, wallets), with its public key.
    private var referenceAddresses: [(publicKey: String, mainnet: String, testnet: String)] {
        let key = Vectors.value(Vectors.reference, "secp256k1", "keys", 0) as! [String: Any]
        var result = [(key["public_key"] as! String, key["address_mainnet"] as! String, key["address_testnet"] as! String)]
        for account in Vectors.value(Vectors.reference, "wallets", "generateWallet", 0, "accounts") as! [[String: Any]] {
            result.append((account["public_key"] as! String, account["address_mainnet"] as! String, account["address_testnet"] as! String))
        }
        return result
    }

    @Test func referenceAddressesFromPublicKeysAndBack() throws {
        for vector in referenceAddresses {
            let publicKey = try Secp256k1.PublicKey(bytes: [UInt8](hex: vector.publicKey))
            let mainnet = StacksAddress(publicKey: publicKey, network: .mainnet)
            let testnet = StacksAddress(publicKey: publicKey, network: .testnet)
            #expect(mainnet.description == vector.mainnet)
            #expect(testnet.description == vector.testnet)
            #expect(try StacksAddress(vector.mainnet) == mainnet)
            #expect(try StacksAddress(vector.testnet) == testnet)
            #expect(mainnet.version == .mainnetSingleSig && mainnet.network == .mainnet)
            #expect(testnet.version == .testnetSingleSig && testnet.network == .testnet)
        }
    }

    /// 39-character addresses are valid Stacks addresses even though the reference's pattern rejects them.
    @Test func thirtyNineCharacterAddressesAreValid() throws {
        let examples = Vectors.value(Vectors.reference, "secp256k1", "pitfall_short_address", "examples") as! [[String: Any]]
        for example in examples {
            let key = try Secp256k1.PrivateKey(hex: example["private_key"] as! String)
            let address = StacksAddress(publicKey: key.publicKey, network: .mainnet)
            #expect(address.description == example["address_mainnet"] as! String)
            #expect(address.description.count == 39)
            #expect(try StacksAddress(address.description) == address)
        }
    }

    @Test func leadingZeroHashBytesRoundTrip() throws {
        for zeros in 0...20 {
            let hash = [UInt8](repeating: 0, count: zeros) + [UInt8](repeating: 0x5a, count: 20 - zeros)
            for version in StacksAddress.Version.allCases {
                let address = try StacksAddress(version: version, hash160: hash)
                #expect(try StacksAddress(address.description) == address)
                #expect(StacksAddress.textLengths.contains(address.description.count))
            }
        }
    }

    @Test func versionsHaveTheirPrefixes() throws {
        let hash = [UInt8](repeating: 0x33, count: 20)
        let prefixes: [StacksAddress.Version: String] = [
            .mainnetSingleSig: "SP", .testnetSingleSig: "ST", .mainnetMultiSig: "SM", .testnetMultiSig: "SN",
        ]
        for (version, prefix) in prefixes {
            let address = try StacksAddress(version: version, hash160: hash)
            #expect(address.description.hasPrefix(prefix))
            #expect(address.version.isMultiSig == (prefix == "SM" || prefix == "SN"))
        }
    }

    @Test func parsingIsCaseInsensitiveAndCrockfordLenientButPrintsCanonically() throws {
        let canonical = "SP1C7S6ZWGYM3F82PYWBC5YEYH4DDQH3CJ1V94MBC"
        let variants = [canonical.lowercased(), canonical.replacingOccurrences(of: "0", with: "O"),
                        canonical.replacingOccurrences(of: "1", with: "I"), canonical.replacingOccurrences(of: "1", with: "l")]
        for variant in variants {
            #expect(try StacksAddress(variant).description == canonical)
        }
    }

    @Test func typedErrorsSayWhatIsWrong() throws {
        let valid = "SP1C7S6ZWGYM3F82PYWBC5YEYH4DDQH3CJ1V94MBC"
        #expect(throws: StacksAddressError.badCharacter("X", offset: 0)) { try StacksAddress("X" + valid.dropFirst()) }
        #expect(throws: StacksAddressError.badCharacter("U", offset: 5)) {
            try StacksAddress(String(valid.prefix(5)) + "U" + valid.dropFirst(6))
        }
        #expect(throws: StacksAddressError.badLength) { try StacksAddress("") }
        #expect(throws: StacksAddressError.badLength) { try StacksAddress("SP") }
        #expect(throws: StacksAddressError.badLength) { try StacksAddress(String(valid.dropLast(5))) }
        #expect(throws: StacksAddressError.badLength) { try StacksAddress(valid + "0") }
        #expect(throws: StacksAddressError.badLength) { try StacksAddress(String(repeating: "S", count: 10_000)) }
        #expect(throws: StacksAddressError.badChecksum) { try StacksAddress(String(valid.dropLast()) + "D") }
        // Swapping network characters breaks the checksum too (the version is under the checksum).
        #expect(throws: StacksAddressError.badChecksum) { try StacksAddress("ST" + valid.dropFirst(2)) }
        let versionZero = "S" + C32.checkEncode(version: 0, payload: [UInt8](repeating: 0x11, count: 20))
        #expect(throws: StacksAddressError.unknownVersion(0)) { try StacksAddress(versionZero) }
        let shortHash = "S" + C32.checkEncode(version: 22, payload: [UInt8](repeating: 0x11, count: 19))
        #expect(throws: StacksAddressError.badLength) { try StacksAddress(shortHash) }
        #expect(throws: StacksAddressError.badLength) { try StacksAddress(version: .mainnetSingleSig, hash160: [1]) }
    }
}

@Suite struct PrincipalTests {
    @Test func parsesAndPrintsStacksPrincipals() throws {
        let text = "stacks:SP1C7S6ZWGYM3F82PYWBC5YEYH4DDQH3CJ1V94MBC"
        let principal = try Principal(text)
        #expect(principal.description == text)
        #expect(principal.address.description == "SP1C7S6ZWGYM3F82PYWBC5YEYH4DDQH3CJ1V94MBC")
        #expect(principal.network == .mainnet)
        #expect(principal == Principal(address: principal.address))
    }

    @Test func refusesOtherSchemesAndBadAddresses() {
        #expect(throws: PrincipalError.missingScheme) { try Principal("SP1C7S6ZWGYM3F82PYWBC5YEYH4DDQH3CJ1V94MBC") }
        #expect(throws: PrincipalError.missingScheme) { try Principal("Stacks:SP1C7S6ZWGYM3F82PYWBC5YEYH4DDQH3CJ1V94MBC") }
        #expect(throws: PrincipalError.invalidAddress(.badChecksum)) { try Principal("stacks:SP1C7S6ZWGYM3F82PYWBC5YEYH4DDQH3CJ1V94MBD") }
        #expect(throws: PrincipalError.invalidAddress(.badLength)) { try Principal("stacks:") }
    }

    @Test func codableAsTheString() throws {
        let principal = try Principal("stacks:ST1C7S6ZWGYM3F82PYWBC5YEYH4DDQH3CJ18JMMZY")
        let json = try JSONEncoder().encode([principal])
        #expect(String(decoding: json, as: UTF8.self) == #"["stacks:ST1C7S6ZWGYM3F82PYWBC5YEYH4DDQH3CJ18JMMZY"]"#)
        #expect(try JSONDecoder().decode([Principal].self, from: json) == [principal])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([Principal].self, from: Data(#"["stacks:nope"]"#.utf8))
        }
    }
}
