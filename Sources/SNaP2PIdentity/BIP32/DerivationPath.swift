/// A BIP-32 derivation path such as `m/44'/5757'/0'/0/0`: which child of which child of the master
/// key to use. Stacks wallets keep account `i` at ``stacksAccount(_:)``.
public struct DerivationPath: Hashable, Sendable, CustomStringConvertible {
    /// Indices at or above this are hardened (written with a trailing `'`).
    public static let hardenedOffset: UInt32 = 0x8000_0000

    /// Child indices from the master key down, hardened ones already offset by ``hardenedOffset``.
    public let indices: [UInt32]

    /// A path from raw child indices.
    public init(indices: [UInt32]) {
        self.indices = indices
    }

    /// Parses `m`, `m/0`, `m/44'/5757'/0'/0/7`... A hardened index may be marked `'`, `h` or `H`;
    /// an index must be below 2^31 before hardening.
    public init(_ text: String) throws(DerivationPathError) {
        var components = text.split(separator: "/", omittingEmptySubsequences: false)
        guard components.first == "m" else { throw .missingMasterPrefix }
        components.removeFirst()
        var indices: [UInt32] = []
        indices.reserveCapacity(components.count)
        for (offset, component) in components.enumerated() {
            let position = offset + 1
            var digits = Substring(component)
            let hardened = digits.last.map { "'hH".contains($0) } ?? false
            if hardened { digits.removeLast() }
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits.count <= 10 else {
                throw .invalidComponent(position: position)
            }
            guard let index = UInt32(digits), index < Self.hardenedOffset else {
                throw .indexOutOfRange(position: position)
            }
            indices.append(hardened ? index + Self.hardenedOffset : index)
        }
        self.indices = indices
    }

    /// `m/44'/5757'/0'/0/<account>`: the STX key of a Stacks wallet's account (Leather, Xverse, the
    /// reference). `account` must be below ``hardenedOffset`` (2^31).
    public static func stacksAccount(_ account: UInt32) -> DerivationPath {
        precondition(account < hardenedOffset, "a Stacks account index is below 2^31")
        return DerivationPath(indices: [44 + hardenedOffset, 5757 + hardenedOffset, hardenedOffset, 0, account])
    }

    /// The path in `m/44'/0` notation.
    public var description: String {
        (["m"] + indices.map { $0 >= Self.hardenedOffset ? "\($0 - Self.hardenedOffset)'" : "\($0)" })
            .joined(separator: "/")
    }
}

/// Why text is not a derivation path.
public enum DerivationPathError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The path does not start with `m`.
    case missingMasterPrefix
    /// The component at this 1-based position (after `m`) is empty or not a decimal index.
    case invalidComponent(position: Int)
    /// The index at this 1-based position is 2^31 or more (hardening is written with `'`, not added).
    case indexOutOfRange(position: Int)

    public var description: String {
        switch self {
        case .missingMasterPrefix: "a derivation path starts with \"m\", as in m/44'/5757'/0'/0/0"
        case .invalidComponent(let position): "component \(position) of the derivation path is not an index like 0 or 44'"
        case .indexOutOfRange(let position): "index \(position) of the derivation path is not below 2^31"
        }
    }
}
