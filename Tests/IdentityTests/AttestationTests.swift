import Crypto
import Foundation
import SNaP2PWire
import Testing
import TestSupport
@testable import SNaP2PIdentity

@Suite struct NodeKeyAttestationTests {
    private var vector: [String: Any] { Vectors.value(Vectors.reference, "attestation", "mainnet_k1") as! [String: Any] }
    private var inputs: [String: Any] { vector["inputs"] as! [String: Any] }
    private var serialized: [UInt8] { [UInt8](hex: vector["serialized"] as! String) }
    private var issuedAt: UInt64 { UInt64(inputs["issued_at"] as! Int) }
    private var expiresAt: UInt64 { UInt64(inputs["expires_at"] as! Int) }
    private var walletKey: Secp256k1.PrivateKey { try! Secp256k1.PrivateKey(hex: inputs["wallet_private_key"] as! String) }

    // MARK: Reference bytes

    @Test func issuingReproducesTheReferencePayloadSignatureAndBytes() async throws {
        let attestation = try await NodeKeyAttestation.issue(
            wallet: LocalWallet(privateKey: walletKey, network: .mainnet),
            nodePublicKey: [UInt8](hex: inputs["node_ed25519_public_key"] as! String),
            issuedAt: issuedAt, validity: expiresAt - issuedAt,
            nonce: [UInt8](hex: inputs["nonce"] as! String))
        #expect(attestation.signedPayload.hex == vector["payload_cbor"] as! String)
        #expect(Array(SHA256.hash(data: attestation.signedPayload)).hex == vector["payload_sha256"] as! String)
        #expect(attestation.signature.bytes.hex == vector["signature"] as! String)
        #expect(attestation.serialized().hex == vector["serialized"] as! String)
        #expect(expiresAt - issuedAt == NodeKeyAttestation.defaultValidity)
    }

    @Test func deserializingGivesTheReferenceFieldsAndTheSameBytesBack() throws {
        let expected = vector["deserialized"] as! [String: Any]
        let attestation = try NodeKeyAttestation(serialized: serialized)
        #expect(attestation.principal.description == expected["principal"] as! String)
        #expect(attestation.nodePublicKey.hex == expected["nodePublicKey"] as! String)
        #expect(attestation.issuedAt == UInt64(expected["timestamp"] as! Int))
        #expect(attestation.expiresAt == UInt64(expected["expiresAt"] as! Int))
        #expect(attestation.nonce.hex == expected["nonce"] as! String)
        #expect(attestation.domain == expected["domain"] as! String)
        #expect(attestation.signature.bytes.hex == expected["signature"] as! String)
        #expect(attestation.serialized() == serialized)
    }

    // MARK: Every verdict the reference recorded, at its recorded time

    @Test func referenceVerdicts() throws {
        let attestation = try NodeKeyAttestation(serialized: serialized)
        let principal = try Principal(inputs["principal"] as! String)

        #expect(vector["verifyAttestationSignature_at_issued_plus_100s"].flatMap { ($0 as! [String: Any])["valid"] as? Bool } == true)
        #expect(try attestation.verify(at: issuedAt + 100, network: .mainnet) == principal)

        // The reference: "recovered address ST… does not match principal SP…". We name the cause.
        #expect(valid(vector["verifyAttestationSignature_other_network"]) == false)
        #expect(throws: AttestationError.wrongNetwork(principal: .mainnet, peer: .testnet)) {
            try attestation.verify(at: issuedAt + 100, network: .testnet)
        }

        #expect(valid(vector["verifyAttestation_at_expires_plus_301s"]) == false)
        #expect(throws: AttestationError.expired) { try attestation.verify(at: expiresAt + 301, network: .mainnet) }

        #expect(valid(vector["verifyAttestation_at_expires_plus_299s"]) == true)
        #expect(try attestation.verify(at: expiresAt + 299, network: .mainnet) == principal)

        #expect(valid(vector["verifyAttestation_at_issued_minus_301s"]) == false)
        #expect(throws: AttestationError.notYetValid) { try attestation.verify(at: issuedAt - 301, network: .mainnet) }

        #expect(valid(vector["verifyAttestationSignature_bitflipped_sig"]) == false)
        var flipped = attestation.signature.bytes
        flipped[0] ^= 0x01
        let bitFlipped = try NodeKeyAttestation(serialized: reencoded(serialized) { $0["sig"] = .bytes(flipped) })
        #expect(throws: AttestationError.badSignature) { try bitFlipped.verify(at: issuedAt + 100, network: .mainnet) }
    }

    @Test func clockSkewBoundariesAreExact() throws {
        let attestation = try NodeKeyAttestation(serialized: serialized)
        let skew = NodeKeyAttestation.clockSkewTolerance
        #expect(skew == 300)
        #expect(throws: Never.self) { try attestation.verify(at: issuedAt - skew, network: .mainnet) }
        #expect(throws: AttestationError.notYetValid) { try attestation.verify(at: issuedAt - skew - 1, network: .mainnet) }
        #expect(throws: Never.self) { try attestation.verify(at: expiresAt + skew - 1, network: .mainnet) }
        #expect(throws: AttestationError.expired) { try attestation.verify(at: expiresAt + skew, network: .mainnet) }
        #expect(throws: AttestationError.expired) { try attestation.verify(at: .max, network: .mainnet) }
        #expect(throws: AttestationError.notYetValid) { try attestation.verify(at: 0, network: .mainnet) }
    }

    @Test func errorCodesAndMessages() {
        #expect(AttestationError.expired.protocolErrorCode == .attestationExpired)
        let others: [AttestationError] = [
            .notYetValid, .badSignature, .wrongNetwork(principal: .testnet, peer: .mainnet), .malformed("x"),
            .unsupportedVersion(2), .wrongDomain("x"),
        ]
        for error in others { #expect(error.protocolErrorCode == .attestationInvalid) }
        #expect(AttestationError.wrongNetwork(principal: .testnet, peer: .mainnet).description.contains("testnet principal, mainnet peer"))
    }

    // MARK: Adversarial

    @Test func swappedPrincipalFails() throws {
        let other = LocalWallet.ephemeral(network: .mainnet).principal
        let swapped = try NodeKeyAttestation(serialized: reencoded(serialized) { $0["p"] = .text(other.description) })
        #expect(throws: AttestationError.badSignature) { try swapped.verify(at: issuedAt + 100, network: .mainnet) }
        // The same key's testnet address is another principal too.
        let testnet = StacksAddress(publicKey: walletKey.publicKey, network: .testnet)
        let renamed = try NodeKeyAttestation(serialized: reencoded(serialized) { $0["p"] = .text("stacks:\(testnet)") })
        #expect(throws: AttestationError.badSignature) { try renamed.verify(at: issuedAt + 100, network: .testnet) }
    }

    @Test func everyFlippedSignatureBitFails() throws {
        let signature = try NodeKeyAttestation(serialized: serialized).signature.bytes
        for bit in 0..<(65 * 8) {
            var flipped = signature
            flipped[bit / 8] ^= UInt8(1 << (bit % 8))
            let bytes = try reencoded(serialized) { $0["sig"] = .bytes(flipped) }
            if bit / 8 == 64, flipped[64] > 3 {
                #expect(throws: AttestationError.self) { try NodeKeyAttestation(serialized: bytes) }
                continue
            }
            let attestation = try NodeKeyAttestation(serialized: bytes)
            #expect(throws: AttestationError.badSignature) { try attestation.verify(at: issuedAt + 100, network: .mainnet) }
        }
    }

    @Test func alteredSignedFieldsFail() throws {
        let alterations: [(inout [String: CBOR]) -> Void] = [
            { $0["ts"] = .unsigned(1_700_000_001) },
            { $0["exp"] = .unsigned(1_800_000_000) },
            { $0["nonce"] = .bytes([UInt8](repeating: 0x81, count: 32)) },
            { $0["npk"] = .text(String(repeating: "ab", count: 32)) },
        ]
        for alter in alterations {
            let attestation = try NodeKeyAttestation(serialized: reencoded(serialized, alter))
            #expect(throws: AttestationError.badSignature) { try attestation.verify(at: issuedAt + 100, network: .mainnet) }
        }
    }

    @Test func everyTruncationIsMalformed() {
        for length in 0..<serialized.count {
            #expect(throws: AttestationError.self) { try NodeKeyAttestation(serialized: Array(serialized.prefix(length))) }
        }
        #expect(throws: AttestationError.self) { try NodeKeyAttestation(serialized: serialized + [0]) }
    }

    @Test func structuralProblemsAreNamed() throws {
        func malformed(_ alter: (inout [String: CBOR]) -> Void) throws -> AttestationError? {
            let bytes = try reencoded(serialized, alter)
            do {
                _ = try NodeKeyAttestation(serialized: bytes)
                return nil
            } catch {
                return error
            }
        }
        #expect(try malformed { $0["v"] = .unsigned(2) } == .unsupportedVersion(2))
        #expect(try malformed { $0["v"] = .text("1") } == .malformed("\"v\" is not an unsigned integer"))
        #expect(try malformed { $0["ts"] = .negative(0) } == .malformed("\"ts\" is not an unsigned integer"))
        #expect(try malformed { $0["nonce"] = .text("abc") } == .malformed("\"nonce\" is not a byte string"))
        #expect(try malformed { $0["sig"] = nil } == .malformed("missing \"sig\""))
        #expect(try malformed { $0["p"] = nil } == .malformed("missing \"p\""))
        #expect(try malformed { $0["npk"] = .bytes([UInt8](repeating: 1, count: 32)) } == .malformed("\"npk\" is not text"))
        for badKey in [String(repeating: "a", count: 63), String(repeating: "a", count: 66),
                       "0x" + String(repeating: "a", count: 62), String(repeating: "g", count: 64)] {
            #expect(try malformed { $0["npk"] = .text(badKey) } == .malformed("\"npk\" is not 64 hex digits"))
        }
        // Lowercase or aliased text would not rebuild the signed bytes.
        #expect(try malformed { $0["p"] = .text($0["p"]!.text!.lowercased().replacingOccurrences(of: "stacks:sp", with: "stacks:SP")) }
            == .malformed("principal is not in canonical form"))
        #expect(try malformed { $0["p"] = .text("SP1C7S6ZWGYM3F82PYWBC5YEYH4DDQH3CJ1V94MBC") } != nil)
        #expect(try malformed { $0["sig"] = .bytes([UInt8](repeating: 1, count: 64)) } != nil)
        #expect(throws: AttestationError.malformed("not a CBOR map")) { try NodeKeyAttestation(serialized: CBOR.array([]).encoded()) }
        #expect(throws: AttestationError.self) { try NodeKeyAttestation(serialized: [0xff, 0x00]) }
        #expect(throws: AttestationError.malformed("4097 bytes, more than 4096")) {
            try NodeKeyAttestation(serialized: [UInt8](repeating: 0, count: 4097))
        }
    }

    @Test func unknownKeysAreIgnored() throws {
        let extended = try reencoded(serialized) { $0["zz-future"] = .text("ignored"); $0["a"] = .unsigned(9) }
        let attestation = try NodeKeyAttestation(serialized: extended)
        #expect(try attestation.verify(at: issuedAt + 100, network: .mainnet).description == inputs["principal"] as! String)
        #expect(attestation.serialized() == serialized)
    }

    /// Properly signed attestations that still break a rule.
    @Test func signedButInvalidAttestations() throws {
        let now = issuedAt + 100
        let wrongDomain = try signed { $0["domain"] = .text("snap2p-nodekey-attestation-v2") }
        #expect(throws: AttestationError.wrongDomain("snap2p-nodekey-attestation-v2")) { try wrongDomain.verify(at: now, network: .mainnet) }
        let shortNonce = try signed { $0["nonce"] = .bytes([UInt8](repeating: 3, count: 15)) }
        #expect(throws: AttestationError.malformed("nonce is 15 bytes, not 16-32")) { try shortNonce.verify(at: now, network: .mainnet) }
        let longNonce = try signed { $0["nonce"] = .bytes([UInt8](repeating: 3, count: 33)) }
        #expect(throws: AttestationError.malformed("nonce is 33 bytes, not 16-32")) { try longNonce.verify(at: now, network: .mainnet) }
        for length in [16, 32] {
            let nonce = try signed { $0["nonce"] = .bytes([UInt8](repeating: 3, count: length)) }
            #expect(throws: Never.self) { try nonce.verify(at: now, network: .mainnet) }
        }
        let multiSig = try StacksAddress(version: .mainnetMultiSig, hash160: hash160(walletKey.publicKey.bytes))
        let multi = try signed { $0["p"] = .text("stacks:\(multiSig)") }
        #expect(throws: AttestationError.self) { try multi.verify(at: now, network: .mainnet) }
        // An uppercase npk that was signed as sent: the verifier could only rebuild lowercase, so it is refused.
        #expect(throws: AttestationError.malformed("\"npk\" is not lowercase hex")) {
            try signed { $0["npk"] = .text($0["npk"]!.text!.uppercased()) }
        }
    }

    /// Found by `make fuzz` (attestation-signed): the reference attestation with its `npk` re-sent in
    /// upper case, signature untouched, decoded to the same key and verified, because the verifier
    /// rebuilds the signed map with lowercase hex. The wire form was malleable and re-serialized to
    /// other bytes; like a non-canonical principal, such text is refused.
    @Test func uppercaseNodeKeyTextIsRefusedNotReadAsTheSignedLowercase() throws {
        let upper = try reencoded(serialized) { $0["npk"] = .text($0["npk"]!.text!.uppercased()) }
        #expect(throws: AttestationError.malformed("\"npk\" is not lowercase hex")) { try NodeKeyAttestation(serialized: upper) }
        let mixed = try reencoded(serialized) { $0["npk"] = .text("E" + $0["npk"]!.text!.dropFirst()) }
        #expect(throws: AttestationError.malformed("\"npk\" is not lowercase hex")) { try NodeKeyAttestation(serialized: mixed) }
        #expect(try NodeKeyAttestation(serialized: serialized).serialized() == serialized)
    }

    // MARK: Issuing

    @Test(arguments: StacksNetwork.allCases)
    func issuedAttestationsVerifyAndBindTheirNodeKey(network: StacksNetwork) async throws {
        let wallet = LocalWallet.ephemeral(network: network)
        let nodeKey = NodeKey.generate()
        // The clock issuing reads (time(2), a coarse clock on Linux that can trail Date by a few
        // milliseconds, so a second boundary between them failed this test).
        let before = WallClock.unixSeconds()
        let attestation = try await NodeKeyAttestation.issue(wallet: wallet, nodePublicKey: nodeKey.publicKey)
        let after = WallClock.unixSeconds()
        #expect((before...after).contains(attestation.issuedAt))
        #expect(attestation.expiresAt == attestation.issuedAt + NodeKeyAttestation.defaultValidity)
        #expect(attestation.nonce.count == 32)
        #expect(attestation.domain == NodeKeyAttestation.domain)
        let decoded = try NodeKeyAttestation(serialized: attestation.serialized())
        #expect(decoded == attestation)
        #expect(try decoded.verify(at: attestation.issuedAt, network: network) == wallet.principal)
        #expect(decoded.binds(noiseStaticKey: [UInt8](nodeKey.noiseStaticKey.publicKey.rawRepresentation)))
        #expect(!decoded.binds(noiseStaticKey: [UInt8](NodeKey.generate().noiseStaticKey.publicKey.rawRepresentation)))
        #expect(!decoded.binds(noiseStaticKey: []))
    }

    @Test func thirtyNineCharacterPrincipalsWorkBetweenSwiftPeers() async throws {
        let example = Vectors.value(Vectors.reference, "secp256k1", "pitfall_short_address", "examples", 0) as! [String: Any]
        let wallet = LocalWallet(privateKey: try Secp256k1.PrivateKey(hex: example["private_key"] as! String), network: .mainnet)
        #expect(wallet.principal.address.description.count == 39)
        let attestation = try await NodeKeyAttestation.issue(wallet: wallet, nodePublicKey: NodeKey.generate().publicKey, issuedAt: 1_000)
        #expect(try NodeKeyAttestation(serialized: attestation.serialized()).verify(at: 1_000, network: .mainnet) == wallet.principal)
    }

    @Test func bindingUsesTheReferenceNodeKey() throws {
        let attestation = try NodeKeyAttestation(serialized: serialized)
        let nodeKey = try NodeKey(seed: [UInt8](hex: inputs["node_ed25519_private_key"] as! String))
        #expect(attestation.binds(noiseStaticKey: [UInt8](nodeKey.noiseStaticKey.publicKey.rawRepresentation)))
        let degenerate = try NodeKeyAttestation(serialized: reencoded(serialized) {
            $0["npk"] = .text("01" + String(repeating: "00", count: 31))
        })
        #expect(!degenerate.binds(noiseStaticKey: [UInt8](hex: "0000000000000000000000000000000000000000000000000000000000000000")))
    }

    @Test func issuingRefusesBadInputsAndWalletsThatSignWithAnotherKey() async throws {
        let wallet = LocalWallet(privateKey: walletKey, network: .mainnet)
        await #expect(throws: AttestationError.self) {
            try await NodeKeyAttestation.issue(wallet: wallet, nodePublicKey: [1, 2, 3], issuedAt: 1)
        }
        await #expect(throws: AttestationError.self) {
            try await NodeKeyAttestation.issue(wallet: wallet, nodePublicKey: NodeKey.generate().publicKey, nonce: [1])
        }
        await #expect(throws: AttestationError.self) {
            try await NodeKeyAttestation.issue(wallet: wallet, nodePublicKey: NodeKey.generate().publicKey, issuedAt: .max, validity: 1)
        }
        let impostor = ImpostorWallet(principal: wallet.principal, key: .random())
        await #expect(throws: AttestationError.badSignature) {
            try await NodeKeyAttestation.issue(wallet: impostor, nodePublicKey: NodeKey.generate().publicKey)
        }
    }

    // MARK: Helpers

    private func valid(_ verdict: Any?) -> Bool? { (verdict as? [String: Any])?["valid"] as? Bool }

    /// Decodes `bytes` as a CBOR map, alters it, encodes it again.
    private func reencoded(_ bytes: [UInt8], _ alter: (inout [String: CBOR]) -> Void) throws -> [UInt8] {
        var fields = try #require(CBOR.decode(bytes).map)
        alter(&fields)
        return CBOR.map(fields).encoded()
    }

    /// The reference attestation with altered fields, signed again by its wallet key.
    private func signed(_ alter: (inout [String: CBOR]) -> Void) throws -> NodeKeyAttestation {
        var fields = try #require(CBOR.decode(serialized).map)
        fields["sig"] = nil
        alter(&fields)
        let signature = try walletKey.signRecoverable(messageHash: Array(SHA256.hash(data: CBOR.map(fields).encoded())))
        fields["sig"] = .bytes(signature.bytes)
        return try NodeKeyAttestation(serialized: CBOR.map(fields).encoded())
    }
}

/// A wallet adapter that claims one principal but signs with another key.
private struct ImpostorWallet: Wallet {
    let principal: Principal
    let key: Secp256k1.PrivateKey
    var network: StacksNetwork { principal.network }
    func sign(messageHash: [UInt8]) throws -> Secp256k1.RecoverableSignature { try key.signRecoverable(messageHash: messageHash) }
}

/// The attestations both peers sent in the reference's recorded session (fixed clock 1700000000).
@Suite struct TranscriptAttestationTests {
    @Test(arguments: [
        ("attestation_initiator", "2122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f40"),
        ("attestation_responder", "4142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f60"),
    ])
    func verifyAndBindTheirNodeKeys(field: String, nodeSeed: String) throws {
        let bytes = [UInt8](hex: Vectors.value(Vectors.reference, "transcripts", "public", field) as! String)
        let attestation = try NodeKeyAttestation(serialized: bytes)
        #expect(attestation.serialized() == bytes)
        let principal = try attestation.verify(at: 1_700_000_000, network: .mainnet)
        #expect(principal == attestation.principal)
        let nodeKey = try NodeKey(seed: [UInt8](hex: nodeSeed))
        #expect(attestation.nodePublicKey == nodeKey.publicKey)
        #expect(attestation.binds(noiseStaticKey: [UInt8](nodeKey.noiseStaticKey.publicKey.rawRepresentation)))
    }
}
