import Crypto

/// A BIP-32 extended private key: a secp256k1 key plus the chain code that derives its children.
/// Stacks wallets derive the master key from the BIP-39 seed and each account's STX key below it.
public struct ExtendedPrivateKey: Sendable, CustomStringConvertible, CustomReflectable {
    /// The key itself.
    public let privateKey: Secp256k1.PrivateKey
    /// How many derivations separate this key from the master key (0 for the master).
    public let depth: UInt8
    /// The first 4 bytes of the parent's ``fingerprint`` (0 for the master).
    public let parentFingerprint: UInt32
    /// The index this key was derived at (hardened indices include ``DerivationPath/hardenedOffset``).
    public let childIndex: UInt32
    /// The chain code, held as a `SymmetricKey` so its storage is zeroed when released.
    private let chainCode: SymmetricKey

    /// The master key of a BIP-39 (or any 16-64 byte) seed: HMAC-SHA512 keyed with "Bitcoin seed".
    public init(seed: [UInt8]) throws(BIP32Error) {
        guard (16...64).contains(seed.count) else { throw .invalidSeedLength(seed.count) }
        var digest = Array(HMAC<SHA512>.authenticationCode(for: seed, using: SymmetricKey(data: Array("Bitcoin seed".utf8))))
        defer { secureZero(&digest) }
        var keyBytes = Array(digest[..<32])
        defer { secureZero(&keyBytes) }
        // Fails only for a key of zero or >= the group order: probability below 2^-127.
        guard let key = try? Secp256k1.PrivateKey(bytes: keyBytes) else { throw .unusableMasterKey }
        self.init(privateKey: key, chainCode: SymmetricKey(data: digest[32...]), depth: 0, parentFingerprint: 0, childIndex: 0)
    }

    private init(privateKey: Secp256k1.PrivateKey, chainCode: SymmetricKey, depth: UInt8, parentFingerprint: UInt32, childIndex: UInt32) {
        self.privateKey = privateKey
        self.chainCode = chainCode
        self.depth = depth
        self.parentFingerprint = parentFingerprint
        self.childIndex = childIndex
    }

    /// The compressed public key of ``privateKey``.
    public var publicKey: Secp256k1.PublicKey { privateKey.publicKey }

    /// The first 4 bytes of hash160(compressed public key), big-endian: how children name their parent.
    public var fingerprint: UInt32 {
        hash160(publicKey.bytes).prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// The child at `index` (CKDpriv). Indices at or above ``DerivationPath/hardenedOffset`` are hardened:
    /// they hash the private key, so the public key and chain code alone cannot derive them.
    public func derivedChild(_ index: UInt32) throws(BIP32Error) -> ExtendedPrivateKey {
        guard depth < UInt8.max else { throw .tooDeep }
        var data: [UInt8] = []
        data.reserveCapacity(37)
        defer { secureZero(&data) }
        if index >= DerivationPath.hardenedOffset {
            data.append(0)
            privateKey.withUnsafeBytes { data.append(contentsOf: $0) }
        } else {
            data.append(contentsOf: publicKey.bytes)
        }
        withUnsafeBytes(of: index.bigEndian) { data.append(contentsOf: $0) }
        var digest = Array(HMAC<SHA512>.authenticationCode(for: data, using: chainCode))
        defer { secureZero(&digest) }
        var tweak = Array(digest[..<32])
        defer { secureZero(&tweak) }
        // Fails only when the tweak is >= the group order or the sum is zero: probability below 2^-127.
        guard let child = try? privateKey.tweakAdded(tweak) else { throw .unusableChildKey(index: index) }
        return ExtendedPrivateKey(
            privateKey: child, chainCode: SymmetricKey(data: digest[32...]), depth: depth + 1,
            parentFingerprint: fingerprint, childIndex: index)
    }

    /// The descendant reached by following `path`'s indices from this key (normally the master key).
    public func derived(_ path: DerivationPath) throws(BIP32Error) -> ExtendedPrivateKey {
        var key = self
        for index in path.indices {
            key = try key.derivedChild(index)
        }
        return key
    }

    /// The Base58Check `xprv…` text of this key (mainnet version bytes 0488ADE4), as wallets export it.
    /// It is a secret: it derives every key below this one.
    public var serialized: String {
        var payload: [UInt8] = [0x04, 0x88, 0xAD, 0xE4, depth]
        payload.reserveCapacity(78)
        defer { secureZero(&payload) }
        withUnsafeBytes(of: parentFingerprint.bigEndian) { payload.append(contentsOf: $0) }
        withUnsafeBytes(of: childIndex.bigEndian) { payload.append(contentsOf: $0) }
        chainCode.withUnsafeBytes { payload.append(contentsOf: $0) }
        payload.append(0)
        privateKey.withUnsafeBytes { payload.append(contentsOf: $0) }
        return Base58Check.encode(payload)
    }

    /// Redacted: an extended private key must never reach a log.
    public var description: String { "ExtendedPrivateKey(depth: \(depth), redacted)" }
    /// Empty, so `dump` and debuggers do not print the key either.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}

/// Why a BIP-32 key could not be derived.
public enum BIP32Error: Error, Equatable, Sendable, CustomStringConvertible {
    /// BIP-32 seeds are 16 to 64 bytes.
    case invalidSeedLength(Int)
    /// The seed's HMAC is not a valid secp256k1 key (probability below 2^-127): use another seed.
    case unusableMasterKey
    /// The child at this index is not a valid key (probability below 2^-127): use the next index.
    case unusableChildKey(index: UInt32)
    /// A key at depth 255 has no serializable children.
    case tooDeep
    /// Stacks account indices are below 2^31 (the account is the last, unhardened, path component).
    case accountIndexOutOfRange(UInt32)

    public var description: String {
        switch self {
        case .invalidSeedLength(let count): "a BIP-32 seed is 16 to 64 bytes, not \(count)"
        case .unusableMasterKey: "this seed gives an invalid BIP-32 master key"
        case .unusableChildKey(let index): "BIP-32 child \(index) is an invalid key; use the next index"
        case .tooDeep: "BIP-32 keys stop at depth 255"
        case .accountIndexOutOfRange(let index): "account index \(index) is not below 2^31"
        }
    }
}
