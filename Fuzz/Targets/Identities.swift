import Crypto
import SNaP2PIdentity
import SNaP2PWire

/// Fixed wallets, node keys and attestations for the targets that need genuine signatures.
/// Deterministic, so a saved input replays the same way.
enum Identities {
    /// The clock every target's honest side uses (the reference transcripts' time).
    static let now: UInt64 = 1_700_000_000

    /// The reference vectors' wallet key K1 (`0102…20`).
    static let walletKeyA = try! Secp256k1.PrivateKey(bytes: (1...32).map(UInt8.init))
    static let walletKeyB = try! Secp256k1.PrivateKey(bytes: (33...64).map(UInt8.init))

    static func wallet(_ key: Secp256k1.PrivateKey, _ network: StacksNetwork) -> LocalWallet {
        LocalWallet(privateKey: key, network: network)
    }

    /// The reference vectors' node seeds (`0x21…`, `0x41…`).
    static let nodeKeyA = try! NodeKey(seed: (0x21...0x40).map(UInt8.init))
    static let nodeKeyB = try! NodeKey(seed: (0x41...0x60).map(UInt8.init))

    /// Touches every lazily built value so the first fuzz input does not pay for (or leak-check) them.
    static func prepare() {
        _ = (walletKeyA, walletKeyB, nodeKeyA, nodeKeyB)
    }
}

/// Builds attestation wire bytes field by field (PROTOCOL.md: the sorted map with `sig` over the
/// SHA-256 of the map without it), so targets can sign what `NodeKeyAttestation.issue` refuses to:
/// wrong domains, short nonces, far-off times.
struct AttestationFields {
    var version: UInt64 = 1
    var principal: String
    var nodePublicKey: String
    var issuedAt: UInt64
    var expiresAt: UInt64
    var nonce: [UInt8]
    var domain: String = NodeKeyAttestation.domain
    /// Extra keys a newer writer might add; the decoder ignores them (they are not signed).
    var extra: [String: CBOR] = [:]

    init(principal: Principal, nodePublicKey: [UInt8], issuedAt: UInt64, expiresAt: UInt64, nonce: [UInt8]) {
        self.principal = principal.description
        self.nodePublicKey = Hex.encode(nodePublicKey)
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.nonce = nonce
    }

    /// The signed map.
    var payload: [String: CBOR] {
        [
            "domain": .text(domain),
            "exp": .unsigned(expiresAt),
            "nonce": .bytes(nonce),
            "npk": .text(nodePublicKey),
            "p": .text(principal),
            "ts": .unsigned(issuedAt),
            "v": .unsigned(version),
        ]
    }

    var messageHash: [UInt8] { Array(SHA256.hash(data: CBOR.map(payload).encoded())) }

    func signature(by wallet: LocalWallet) -> [UInt8] {
        try! wallet.sign(messageHash: messageHash).bytes
    }

    /// The wire bytes with `signature` as `sig`.
    func serialized(signature: [UInt8]) -> [UInt8] {
        var fields = payload
        for (key, value) in extra where fields[key] == nil { fields[key] = value }
        fields["sig"] = .bytes(signature)
        return CBOR.map(fields).encoded()
    }

    /// A valid attestation of `nodeKey` by `wallet`.
    static func attestation(
        by wallet: LocalWallet,
        for nodePublicKey: [UInt8],
        issuedAt: UInt64 = Identities.now,
        validity: UInt64 = NodeKeyAttestation.defaultValidity
    ) -> NodeKeyAttestation {
        let fields = AttestationFields(
            principal: wallet.principal, nodePublicKey: nodePublicKey, issuedAt: issuedAt,
            expiresAt: issuedAt + validity, nonce: Array(SHA256.hash(data: nodePublicKey + [0x6e])))
        return try! NodeKeyAttestation(serialized: fields.serialized(signature: fields.signature(by: wallet)))
    }
}
