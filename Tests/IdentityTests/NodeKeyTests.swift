import Crypto
import Testing
import TestSupport
@testable import SNaP2PIdentity

@Suite struct NodeKeyTests {
    @Test func referenceNodeKeys() throws {
        for vector in Vectors.value(Vectors.reference, "node_keys") as! [[String: Any]] {
            let key = try NodeKey(seed: [UInt8](hex: vector["ed25519_private_key"] as! String))
            #expect(key.publicKey.hex == vector["ed25519_public_key"] as! String)
            #expect([UInt8](key.noiseStaticKey.rawRepresentation).hex == vector["x25519_private_key"] as! String)
            #expect([UInt8](key.noiseStaticKey.publicKey.rawRepresentation).hex == vector["x25519_public_key"] as! String)
            #expect(try NodeKey.montgomeryPublicKey(fromEd25519: key.publicKey).hex == vector["ed25519PublicKeyToX25519"] as! String)
        }
    }

    /// The binding check relies on this: the X25519 key derived from the seed equals the converted Ed25519 key.
    @Test func conversionMatchesSwiftCryptoForRandomSeeds() throws {
        for _ in 0..<2_000 {
            let key = NodeKey.generate()
            #expect(try NodeKey.montgomeryPublicKey(fromEd25519: key.publicKey)
                == [UInt8](key.noiseStaticKey.publicKey.rawRepresentation))
        }
    }

    /// Expected u values computed independently with Python integers: u = (1 + y) / (1 - y) mod p.
    @Test(arguments: [
        ("0000000000000000000000000000000000000000000000000000000000000000", "0100000000000000000000000000000000000000000000000000000000000000"),
        ("0300000000000000000000000000000000000000000000000000000000000000", "ebffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
        ("0400000000000000000000000000000000000000000000000000000000000000", "4755555555555555555555555555555555555555555555555555555555555555"),
        // The x sign bit does not change y.
        ("0400000000000000000000000000000000000000000000000000000000000080", "4755555555555555555555555555555555555555555555555555555555555555"),
    ])
    func smallCoordinates(ed25519: String, x25519: String) throws {
        #expect(try NodeKey.montgomeryPublicKey(fromEd25519: [UInt8](hex: ed25519)).hex == x25519)
    }

    @Test func refusesNonCanonicalDegenerateAndOffCurveKeys() {
        let p = "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"
        let pMinusOne = "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"
        let one = "0100000000000000000000000000000000000000000000000000000000000000"
        func convert(_ hex: String) throws(NodeKeyError) -> [UInt8] {
            try NodeKey.montgomeryPublicKey(fromEd25519: [UInt8](hex: hex))
        }
        #expect(throws: NodeKeyError.nonCanonicalPublicKey) { try convert(p) }
        #expect(throws: NodeKeyError.nonCanonicalPublicKey) { try convert("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f") }
        #expect(throws: NodeKeyError.nonCanonicalPublicKey) { try convert(String(repeating: "ff", count: 32)) }
        #expect(throws: NodeKeyError.degeneratePublicKey) { try convert(one) }
        #expect(throws: NodeKeyError.degeneratePublicKey) { try convert("01" + String(repeating: "00", count: 30) + "80") }
        #expect(throws: NodeKeyError.degeneratePublicKey) { try convert(pMinusOne) }
        #expect(throws: NodeKeyError.notOnCurve) { try convert("02" + String(repeating: "00", count: 31)) }
        #expect(throws: NodeKeyError.invalidPublicKeyLength(31)) { try NodeKey.montgomeryPublicKey(fromEd25519: [UInt8](repeating: 9, count: 31)) }
        #expect(throws: NodeKeyError.invalidSeedLength(64)) { try NodeKey(seed: [UInt8](repeating: 9, count: 64)) }
    }

    @Test func descriptionShowsThePublicKeyOnly() throws {
        let key = try NodeKey(seed: [UInt8](repeating: 0x21, count: 32))
        #expect(key.description == "NodeKey(\(key.publicKey.hex))")
    }
}
