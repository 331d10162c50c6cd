/// A SNaP2P identity: `stacks:` followed by a Stacks address, as sent in attestations and AUTH_OK.
///
/// Encoded (Codable) as that single string.
public struct Principal: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The text before the address.
    public static let prefix = "stacks:"

    /// The address this principal names.
    public let address: StacksAddress

    /// The principal of `address`.
    public init(address: StacksAddress) {
        self.address = address
    }

    /// Parses `stacks:<address>` (the scheme is case-sensitive; the address is checked in full).
    public init(_ text: String) throws(PrincipalError) {
        guard text.hasPrefix(Self.prefix) else { throw .missingScheme }
        do {
            address = try StacksAddress(String(text.dropFirst(Self.prefix.count)))
        } catch {
            throw .invalidAddress(error)
        }
    }

    /// The network of the address.
    public var network: StacksNetwork { address.network }

    /// `stacks:` + the canonical address.
    public var description: String { Self.prefix + address.description }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(text)
        } catch {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "invalid principal \(text): \(error)"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Why principal text was refused.
public enum PrincipalError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The text does not start with `stacks:`.
    case missingScheme
    /// The part after `stacks:` is not a valid Stacks address.
    case invalidAddress(StacksAddressError)

    public var description: String {
        switch self {
        case .missingScheme: return "principal must start with \"stacks:\""
        case .invalidAddress(let error): return "invalid address in principal: \(error)"
        }
    }
}
