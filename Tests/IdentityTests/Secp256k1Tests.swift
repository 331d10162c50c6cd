import Crypto
import Testing
import TestSupport
@testable import SNaP2PIdentity

@Suite struct Secp256k1Tests {
    private var keyVector: [String: Any] { Vectors.value(Vectors.reference, "secp256k1", "keys", 0) as! [String: Any] }

    @Test func compressedKeyFormReproducesReferenceKeyAddressAndSignature() throws {
        let vector = keyVector
        let key = try Secp256k1.PrivateKey(hex: vector["private_key"] as! String)
        #expect(key.publicKey.bytes.hex == vector["public_key"] as! String)
        #expect(StacksAddress(publicKey: key.publicKey, network: .mainnet).description == vector["address_mainnet"] as! String)
        #expect(StacksAddress(publicKey: key.publicKey, network: .testnet).description == vector["address_testnet"] as! String)

        let hash = [UInt8](hex: vector["message_sha256"] as! String)
        #expect(Array(SHA256.hash(data: [UInt8](hex: vector["message"] as! String))) == hash)
        let signature = try key.signRecoverable(messageHash: hash)
        #expect(signature.bytes.hex == vector["signMessageHashRsv"] as! String)
        #expect(try signature.recoverPublicKey(messageHash: hash).bytes.hex == vector["publicKeyFromSignatureRsv"] as! String)
    }

    @Test func bareAndMarkedKeyFormsAreTheSameKey() throws {
        let marked = keyVector["private_key"] as! String
        let bare = String(marked.dropLast(2))
        let fromMarked = try Secp256k1.PrivateKey(hex: marked)
        let fromBare = try Secp256k1.PrivateKey(hex: bare)
        let fromBytes = try Secp256k1.PrivateKey(bytes: [UInt8](hex: bare))
        #expect(fromBare.publicKey == fromMarked.publicKey)
        #expect(fromBytes.publicKey == fromMarked.publicKey)
        let hash = [UInt8](repeating: 7, count: 32)
        #expect(try fromBare.signRecoverable(messageHash: hash) == fromMarked.signRecoverable(messageHash: hash))
    }

    /// The reference treats a 64-hex key (no `01`) as "uncompressed public key": a different address,
    /// and attestations that can never verify, because recovery yields the compressed key. We always use
    /// the compressed key, so for us the 64-hex form is the same identity as the 66-hex form.
    @Test func sixtyFourHexKeyMeansTheCompressedKeyNotTheReferencesUncompressedOne() throws {
        let pitfall = Vectors.value(Vectors.reference, "secp256k1", "pitfall_uncompressed_key") as! [String: Any]
        let key = try Secp256k1.PrivateKey(hex: pitfall["private_key"] as! String)
        #expect(key.publicKey.bytes.hex == pitfall["publicKeyFromSignatureRsv"] as! String)
        #expect(StacksAddress(publicKey: key.publicKey, network: .mainnet).description
            == pitfall["snap2p_addressFromPublicKey_of_recovered"] as! String)

        // What the reference derived: hash160 of the 65-byte uncompressed encoding.
        let uncompressed = [UInt8](hex: pitfall["public_key"] as! String)
        let referenceAddress = try StacksAddress(version: .mainnetSingleSig, hash160: hash160(uncompressed))
        #expect(referenceAddress.description == pitfall["address_mainnet"] as! String)
        #expect(referenceAddress.description != StacksAddress(publicKey: key.publicKey, network: .mainnet).description)
        // Parsing that uncompressed encoding yields our compressed key.
        #expect(try Secp256k1.PublicKey(bytes: uncompressed) == key.publicKey)

        let hash = [UInt8](hex: pitfall["message_sha256"] as! String)
        #expect(try key.signRecoverable(messageHash: hash).bytes.hex == pitfall["signMessageHashRsv"] as! String)
    }

    @Test func walletSignVectorSignsSHA256OfTheMessage() throws {
        let vector = Vectors.value(Vectors.reference, "secp256k1", "wallet_sign") as! [String: Any]
        let key = try Secp256k1.PrivateKey(hex: vector["private_key"] as! String)
        let hash = Array(SHA256.hash(data: [UInt8](hex: vector["message"] as! String)))
        #expect(try key.signRecoverable(messageHash: hash).bytes.hex == vector["signature"] as! String)
    }

    @Test func malformedPrivateKeysAreRefused() {
        #expect(throws: Secp256k1Error.invalidPrivateKeyLength(31)) { try Secp256k1.PrivateKey(bytes: .init(repeating: 1, count: 31)) }
        #expect(throws: Secp256k1Error.invalidPrivateKeyLength(34)) { try Secp256k1.PrivateKey(bytes: .init(repeating: 1, count: 34)) }
        #expect(throws: Secp256k1Error.invalidCompressionMarker(0x02)) {
            try Secp256k1.PrivateKey(bytes: .init(repeating: 1, count: 32) + [0x02])
        }
        #expect(throws: Secp256k1Error.invalidPrivateKeyHex) { try Secp256k1.PrivateKey(hex: String(repeating: "g", count: 64)) }
        #expect(throws: Secp256k1Error.privateKeyOutOfRange) { try Secp256k1.PrivateKey(bytes: .init(repeating: 0, count: 32)) }
        let order = [UInt8](hex: "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
        #expect(throws: Secp256k1Error.privateKeyOutOfRange) { try Secp256k1.PrivateKey(bytes: order) }
        var belowOrder = order
        belowOrder[31] -= 1
        #expect(throws: Never.self) { try Secp256k1.PrivateKey(bytes: belowOrder) }
    }

    @Test func descriptionNeverShowsTheSecret() throws {
        let key = try Secp256k1.PrivateKey(hex: keyVector["private_key"] as! String)
        let secretHex = String((keyVector["private_key"] as! String).prefix(64))
        for text in [key.description, key.debugDescription, String(describing: key), String(reflecting: key)] {
            #expect(!text.contains(secretHex))
            #expect(!text.contains("0102030405"))
        }
        #expect(key.description.contains("redacted"))
    }

    @Test func tweakAddedIsScalarAddition() throws {
        let one = try Secp256k1.PrivateKey(bytes: [UInt8](repeating: 0, count: 31) + [1])
        var twoBytes = [UInt8](repeating: 0, count: 32)
        twoBytes[31] = 1
        let two = try one.tweakAdded(twoBytes)
        #expect(two.publicKey == (try Secp256k1.PrivateKey(bytes: [UInt8](repeating: 0, count: 31) + [2])).publicKey)
        // n - 1 + 1 = 0: refused.
        let orderMinusOne = [UInt8](hex: "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140")
        #expect(throws: Secp256k1Error.tweakOutOfRange) { try one.tweakAdded(orderMinusOne) }
        // A tweak >= n: refused.
        #expect(throws: Secp256k1Error.tweakOutOfRange) { try one.tweakAdded([UInt8](repeating: 0xff, count: 32)) }
        #expect(throws: Secp256k1Error.tweakOutOfRange) { try one.tweakAdded([1]) }
    }

    @Test func signaturesAreLowSAndRecoverForRandomKeys() throws {
        let halfOrder = [UInt8](hex: "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0")
        for index in 0..<50 {
            let key = Secp256k1.PrivateKey.random()
            let hash = Array(SHA256.hash(data: [UInt8(index)]))
            let signature = try key.signRecoverable(messageHash: hash)
            #expect(signature.bytes[64] <= 1)
            #expect(Array(signature.bytes[32..<64]).lexicographicallyPrecedes(halfOrder)
                || Array(signature.bytes[32..<64]) == halfOrder)
            #expect(try signature.recoverPublicKey(messageHash: hash) == key.publicKey)
        }
    }

    @Test func publicKeysParseEveryValidEncodingAndRefuseOthers() throws {
        let compressed = [UInt8](hex: keyVector["public_key"] as! String)
        #expect(try Secp256k1.PublicKey(bytes: compressed).bytes == compressed)
        #expect(throws: Secp256k1Error.invalidPublicKey) { try Secp256k1.PublicKey(bytes: Array(compressed.dropLast())) }
        var offCurve = compressed
        offCurve[0] = 0x04
        #expect(throws: Secp256k1Error.invalidPublicKey) { try Secp256k1.PublicKey(bytes: offCurve) }
        #expect(throws: Secp256k1Error.invalidPublicKey) { try Secp256k1.PublicKey(bytes: [0x02] + [UInt8](repeating: 0xff, count: 32)) }
    }

    @Test func malformedSignaturesAndHashesAreRefused() throws {
        let signature = [UInt8](hex: keyVector["signMessageHashRsv"] as! String)
        let hash = [UInt8](hex: keyVector["message_sha256"] as! String)
        #expect(throws: Secp256k1Error.invalidSignatureLength(64)) { try Secp256k1.RecoverableSignature(bytes: Array(signature.prefix(64))) }
        #expect(throws: Secp256k1Error.invalidRecoveryID(27)) { try Secp256k1.RecoverableSignature(bytes: Array(signature.prefix(64)) + [27]) }
        let valid = try Secp256k1.RecoverableSignature(bytes: signature)
        #expect(throws: Secp256k1Error.invalidMessageHashLength(31)) { try valid.recoverPublicKey(messageHash: Array(hash.prefix(31))) }
        let zeroR = try Secp256k1.RecoverableSignature(bytes: [UInt8](repeating: 0, count: 32) + Array(signature[32...]))
        #expect(throws: Secp256k1Error.unrecoverableSignature) { try zeroR.recoverPublicKey(messageHash: hash) }
        let key = try Secp256k1.PrivateKey(hex: keyVector["private_key"] as! String)
        #expect(throws: Secp256k1Error.invalidMessageHashLength(33)) { try key.signRecoverable(messageHash: hash + [0]) }
    }

    @Test func concurrentSigningSharesOneContextSafely() async throws {
        let key = try Secp256k1.PrivateKey(hex: keyVector["private_key"] as! String)
        let hash = [UInt8](hex: keyVector["message_sha256"] as! String)
        let expected = keyVector["signMessageHashRsv"] as! String
        let results = await withTaskGroup(of: String.self) { group in
            for _ in 0..<16 { group.addTask { (try? key.signRecoverable(messageHash: hash))?.bytes.hex ?? "" } }
            return await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(results == Array(repeating: expected, count: 16))
    }
}
