import Crypto
import SNaP2PWire
import Testing
import TestSupport

@testable import SNaP2PIdentity

/// AliasCards (docs/ALIASCARDS.md): the canonical bytes, normalization, and every refusal.
@Suite struct AliasCardTests {
    static let now: UInt64 = 1_764_000_000
    /// The wallet of the reference vectors' attestation (a fixed key, so the example is reproducible).
    static var walletKey: Secp256k1.PrivateKey {
        try! Secp256k1.PrivateKey(hex: Vectors.value(Vectors.reference, "attestation", "mainnet_k1", "inputs", "wallet_private_key") as! String)
    }
    static var alice: LocalWallet { LocalWallet(privateKey: walletKey, network: .mainnet) }
    static let nonce = [UInt8](repeating: 0x42, count: 32)

    static func exampleCard() async throws -> AliasCard {
        try await AliasCard.issue(wallet: alice, alias: "  Alice ", displayName: "Alice 🌻", issuedAt: now, nonce: nonce)
    }

    // MARK: Bytes

    @Test func theExampleCardHasTheDocumentedFieldsAndLayout() async throws {
        let card = try await Self.exampleCard()
        #expect(card.alias == "alice")
        #expect(card.displayName == "Alice 🌻")
        #expect(card.expiresAt == Self.now + 7 * 86_400)
        #expect(card.principal == Self.alice.principal)
        let bytes = card.serialized()
        #expect(bytes.count <= AliasCard.maximumSerializedLength)
        // A map of 9 entries, keys in byte order, starting with "alias" → "alice".
        #expect(Array(bytes.prefix(13)) == [0xa9, 0x65] + Array("alias".utf8) + [0x65] + Array("alice".utf8))
        let decoded = try CBOR.decode(bytes)
        #expect(decoded.map.map { Array($0.keys).sorted() } == [
            "alias", "display_name", "domain", "expires_at", "issued_at", "nonce", "principal", "sig", "v",
        ])
        #expect(decoded["domain"]?.text == "snap2p-aliascard-v1")
        #expect(decoded["v"]?.uint == 1)
        // The signature covers SHA-256 of the map without "sig", and recovers to the wallet's key.
        var unsigned = try #require(decoded.map)
        let signature = try Secp256k1.RecoverableSignature(bytes: try #require(unsigned.removeValue(forKey: "sig")?.bytes))
        let signer = try signature.recoverPublicKey(messageHash: Array(SHA256.hash(data: CBOR.map(unsigned).encoded())))
        #expect(signer == Self.alice.publicKey)
        // The example docs/ALIASCARDS.md shows (and the alias-card fuzz target's seed).
        #expect(bytes.hex == Vectors.aliasCardExample.hex)
    }

    @Test func decodingGivesTheSameCardAndTheSameBytesBack() async throws {
        let card = try await Self.exampleCard()
        let decoded = try AliasCard(serialized: card.serialized())
        #expect(decoded == card)
        #expect(decoded.serialized() == card.serialized())
        #expect(try decoded.verify(at: Self.now, network: .mainnet) == Self.alice.principal)
        // Signing is deterministic (RFC 6979): the same inputs give the same bytes.
        #expect(try await Self.exampleCard().serialized() == card.serialized())
    }

    // MARK: Refusals

    @Test func everyFlippedBitIsRefused() async throws {
        let bytes = try await Self.exampleCard().serialized()
        for index in bytes.indices {
            var tampered = bytes
            tampered[index] ^= 0x01
            let verified = Result { () throws(AliasCardError) in try AliasCard(serialized: tampered).verify(at: Self.now, network: .mainnet) }
            #expect(throws: (any Error).self, "byte \(index)") { try verified.get() }
        }
    }

    @Test func anotherPrincipalsSignatureIsRefused() async throws {
        let mallory = LocalWallet.ephemeral(network: .mainnet)
        let card = try await AliasCard.issue(wallet: mallory, alias: "alice", issuedAt: Self.now)
        var fields = try #require(try CBOR.decode(card.serialized()).map)
        fields["principal"] = .text(Self.alice.principal.description)
        let forged = try AliasCard(serialized: CBOR.map(fields).encoded())
        #expect(throws: AliasCardError.badSignature) { try forged.verify(at: Self.now, network: .mainnet) }
    }

    @Test func theWrongNetworkIsRefused() async throws {
        let card = try await Self.exampleCard()
        #expect(throws: AliasCardError.wrongNetwork(principal: .mainnet, peer: .testnet)) { try card.verify(at: Self.now, network: .testnet) }
    }

    @Test func expiredAndFutureCardsAreRefusedWithinTheClockSkew() async throws {
        let card = try await Self.exampleCard()
        let skew = NodeKeyAttestation.clockSkewTolerance
        #expect(throws: AliasCardError.notYetValid) { try card.verify(at: Self.now - skew - 1, network: .mainnet) }
        #expect(try card.verify(at: Self.now - skew, network: .mainnet) == Self.alice.principal)
        #expect(try card.verify(at: card.expiresAt + skew - 1, network: .mainnet) == Self.alice.principal)
        #expect(throws: AliasCardError.expired) { try card.verify(at: card.expiresAt + skew, network: .mainnet) }
        #expect(!card.isExpired(at: card.expiresAt - 1))
        #expect(card.isExpired(at: card.expiresAt))
    }

    @Test func oversizeInputIsRefusedBeforeDecoding() {
        let oversize = CBOR.map(["v": .unsigned(1), "pad": .bytes([UInt8](repeating: 0, count: 600))]).encoded()
        #expect(throws: AliasCardError.malformed("\(oversize.count) bytes, more than 512")) { try AliasCard(serialized: oversize) }
    }

    /// Fields an honest issuer never signs, signed anyway: the verifier still refuses them.
    @Test(arguments: [
        ("alias", CBOR.text("Alice"), "invalidAlias"),
        ("alias", .text("al ice"), "invalidAlias"),
        ("alias", .text(""), "invalidAlias"),
        ("alias", .text(String(repeating: "a", count: 33)), "invalidAlias"),
        ("display_name", .text("evil\u{202E}gnp.exe"), "invalidDisplayName"),
        ("display_name", .text("two\nlines"), "invalidDisplayName"),
        ("display_name", .text(String(repeating: "x", count: 65)), "invalidDisplayName"),
        ("expires_at", .unsigned(now + 366 * 86_400), "invalidValidity"),
        ("expires_at", .unsigned(now), "invalidValidity"),
        ("domain", .text("snap2p-nodekey-attestation-v1"), "wrongDomain"),
        ("nonce", .bytes([1, 2, 3]), "malformed"),
    ])
    func signedButInvalidFieldsAreRefused(key: String, value: CBOR, expected: String) async throws {
        var fields = try #require(try CBOR.decode(try await Self.exampleCard().serialized()).map)
        fields[key] = value
        fields["sig"] = nil
        let signature = try Self.walletKey.signRecoverable(messageHash: Array(SHA256.hash(data: CBOR.map(fields).encoded())))
        fields["sig"] = .bytes(signature.bytes)
        let card = try AliasCard(serialized: CBOR.map(fields).encoded())
        let error = #expect(throws: AliasCardError.self) { try card.verify(at: Self.now, network: .mainnet) }
        #expect(error.map { "\($0)".hasPrefix(Self.prefix[expected]!) } == true, "\(String(describing: error))")
    }

    static let prefix = [
        "invalidAlias": "invalid alias", "invalidDisplayName": "invalid display name",
        "invalidValidity": "invalid alias card validity", "wrongDomain": "wrong alias card domain",
        "malformed": "malformed alias card",
    ]

    // MARK: Text rules

    @Test(arguments: [
        ("alice", "alice"), ("  ALICE\t", "alice"), ("Ａｌｉｃｅ", "alice"), ("josé", "josé"),
        ("a.b_c-d", "a.b_c-d"), ("Straße", "straße"), ("ｘ２", "x2"), ("имя", "имя"), ("7up", "7up"),
    ])
    func aliasesAreNormalized(input: String, expected: String) throws {
        #expect(try AliasCard.normalize(alias: input) == expected)
    }

    @Test(arguments: ["", "   ", "al ice", "-alice", ".alice", "al\u{200B}ice", "al\u{0007}ice", "ali$e", "a/b", String(repeating: "a", count: 33), "🌻"])
    func badAliasesAreRefused(input: String) {
        #expect(throws: AliasCardError.self, "\(input.debugDescription)") { try AliasCard.normalize(alias: input) }
    }

    @Test(arguments: ["", "Alice 🌻", "👨‍👩‍👧 family", "José Ñuñez", String(repeating: "x", count: 64)])
    func displayNamesWithEmojiAreAccepted(input: String) throws {
        try AliasCard.check(displayName: input)
    }

    @Test(arguments: ["tab\there", "bidi\u{202E}", "zero\u{200B}width", "nul\u{0}", "line\u{2028}sep"])
    func displayNamesWithControlOrInvisibleCharactersAreRefused(input: String) {
        #expect(throws: AliasCardError.self, "\(input.debugDescription)") { try AliasCard.check(displayName: input) }
    }

    @Test func issuingRefusesWhatTheVerifierWouldRefuse() async {
        await #expect(throws: AliasCardError.self) { try await AliasCard.issue(wallet: Self.alice, alias: "bad alias") }
        await #expect(throws: AliasCardError.self) { try await AliasCard.issue(wallet: Self.alice, alias: "ok", displayName: "a\u{1B}[31m") }
        await #expect(throws: AliasCardError.self) {
            try await AliasCard.issue(wallet: Self.alice, alias: "ok", validity: AliasCard.maximumValidity + 1)
        }
    }
}
