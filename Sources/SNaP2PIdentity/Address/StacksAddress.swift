/// A Stacks address: a version (network and single/multi-sig) and the hash160 of the key(s).
///
/// Text form: `S` + c32check(version, hash160), e.g. `SP1C7S6ZWGYM3F82PYWBC5YEYH4DDQH3CJ1V94MBC`.
/// Parsing is case-insensitive and Crockford-lenient; ``description`` is always the canonical form.
public struct StacksAddress: Hashable, Sendable, CustomStringConvertible {
    /// The address versions SNaP2P knows; the version byte is the second character of the text.
    public enum Version: UInt8, Sendable, Hashable, CaseIterable {
        /// `SM…`
        case mainnetMultiSig = 20
        /// `SN…`
        case testnetMultiSig = 21
        /// `SP…`, what a wallet key gives on mainnet.
        case mainnetSingleSig = 22
        /// `ST…`, what a wallet key gives on testnet.
        case testnetSingleSig = 26

        /// The network this version belongs to.
        public var network: StacksNetwork {
            switch self {
            case .mainnetSingleSig, .mainnetMultiSig: return .mainnet
            case .testnetSingleSig, .testnetMultiSig: return .testnet
            }
        }

        /// Whether the address stands for a multi-signature script rather than one key.
        public var isMultiSig: Bool { self == .mainnetMultiSig || self == .testnetMultiSig }

        /// The single-sig version of `network`.
        public static func singleSig(_ network: StacksNetwork) -> Version {
            network == .mainnet ? .mainnetSingleSig : .testnetSingleSig
        }
    }

    /// Shortest and longest text of a valid address (24 payload bytes; see ``C32``).
    static let textLengths = 26...41
    /// hash160 and the 4-byte checksum.
    private static let payloadLength = 24

    /// Network and kind.
    public let version: Version
    /// The 20-byte hash160: of the public key (single-sig) or of the redeem script (multi-sig).
    public let hash160: [UInt8]
    /// The canonical text.
    public let description: String

    /// An address from its parts; `hash160` must be 20 bytes.
    public init(version: Version, hash160: [UInt8]) throws(StacksAddressError) {
        guard hash160.count == 20 else { throw .badLength }
        self.version = version
        self.hash160 = hash160
        self.description = "S" + C32.checkEncode(version: version.rawValue, payload: hash160)
    }

    /// The single-sig address of a (compressed) public key on `network`.
    public init(publicKey: Secp256k1.PublicKey, network: StacksNetwork) {
        // hash160 is always 20 bytes.
        try! self.init(version: .singleSig(network), hash160: SNaP2PIdentity.hash160(publicKey.bytes))
    }

    /// Parses address text, verifying the checksum.
    public init(_ text: String) throws(StacksAddressError) {
        guard text.utf8.count <= Self.textLengths.upperBound else { throw .badLength }
        guard let first = text.first else { throw .badLength }
        guard first == "S" || first == "s" else { throw .badCharacter(first, offset: 0) }
        let decoded: (version: UInt8, payload: [UInt8])
        do {
            decoded = try C32.checkDecode(String(text.dropFirst()))
        } catch {
            switch error {
            case .badCharacter(let character, let offset): throw .badCharacter(character, offset: offset + 1)
            case .tooShort: throw .badLength
            case .badChecksum:
                // Text that cannot hold a 20-byte hash and a checksum is a length error, not a typo.
                guard (try? C32.decode(String(text.dropFirst(2))))?.count == Self.payloadLength else { throw .badLength }
                throw .badChecksum
            }
        }
        guard let version = Version(rawValue: decoded.version) else { throw .unknownVersion(decoded.version) }
        try self.init(version: version, hash160: decoded.payload)
    }

    /// The network of ``version``.
    public var network: StacksNetwork { version.network }
}

/// Why address text was refused.
public enum StacksAddressError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A character that cannot appear at this offset (the first must be `S`, the rest c32 digits).
    case badCharacter(Character, offset: Int)
    /// Too short or too long for a version, a 20-byte hash and a checksum.
    case badLength
    /// The checksum does not match: a typo, or a truncated or altered address.
    case badChecksum
    /// A well-formed address with a version other than SP, ST, SM, SN.
    case unknownVersion(UInt8)

    public var description: String {
        switch self {
        case .badCharacter(let character, let offset): return "bad character '\(character)' at offset \(offset)"
        case .badLength: return "wrong length for a Stacks address"
        case .badChecksum: return "checksum mismatch"
        case .unknownVersion(let version): return "unknown address version \(version)"
        }
    }
}
