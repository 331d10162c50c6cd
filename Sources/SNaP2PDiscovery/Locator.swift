/// Where a principal may be listening: a routing hint, never proof of identity (the session
/// handshake after dialing decides who answered).
///
/// Text forms (SPECS §10.2): `ip:port` for IPv4, `[ipv6]:port`, and `dns:port` for a host name,
/// e.g. `203.0.113.7:9000`, `[2001:db8::7]:9000`, `alice.example.org:9000`; and `relay:` before any
/// of them for a principal reachable only through the relay there (docs/RELAY.md), e.g.
/// `relay:relay.example.org:9100`.
public struct Locator: Sendable, Hashable, CustomStringConvertible {
    /// What kind of host a locator names.
    public enum Kind: Sendable, Hashable {
        /// A dotted-quad IPv4 address.
        case ipv4
        /// An IPv6 address (written in brackets).
        case ipv6
        /// A DNS name, resolved when dialed.
        case dns
    }

    /// The host: an IP address (IPv6 without brackets) or a DNS name, lower case.
    public let host: String
    /// The TCP port, 1-65535.
    public let port: Int
    /// Whether `host` is an IPv4 address, an IPv6 address or a DNS name.
    public let kind: Kind
    /// Whether `host:port` is a relay where the principal holds a reservation, rather than the
    /// principal's own listening address.
    public let isRelay: Bool

    /// The prefix of a relayed locator's text.
    public static let relayPrefix = "relay:"

    /// The longest locator text accepted (`relay:`, a 253-byte DNS name, a colon and five digits).
    public static let maximumTextLength = 270

    /// A locator for `host` (an IP address or DNS name, IPv6 without brackets) and `port`; with
    /// `relay`, the relay there.
    public init(host: String, port: Int, relay: Bool = false) throws(LocatorError) {
        guard (1...65535).contains(port) else { throw .invalidPort("\(port)") }
        let host = host.lowercased()
        if Self.isIPv4(host) {
            kind = .ipv4
        } else if host.contains(":") {
            guard Self.isIPv6(host) else { throw .invalidHost(host) }
            kind = .ipv6
        } else {
            guard Self.isDNSName(host) else { throw .invalidHost(host) }
            kind = .dns
        }
        self.host = host
        self.port = port
        self.isRelay = relay
    }

    /// Parses `ip:port`, `[ipv6]:port` or `dns:port`, each optionally after `relay:`.
    public init(_ text: String) throws(LocatorError) {
        guard !text.isEmpty, text.utf8.count <= Self.maximumTextLength else { throw .malformed(String(text.prefix(64))) }
        let relay = text.hasPrefix(Self.relayPrefix)
        let text = relay ? String(text.dropFirst(Self.relayPrefix.count)) : text
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[close...].hasPrefix("]:") else { throw .malformed(text) }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
            guard host.contains(":") else { throw .malformed(text) }
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { throw .malformed(text) }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy(\.isASCIIDigit), let port = Int(portText) else {
            throw .invalidPort(String(portText))
        }
        try self.init(host: String(host), port: port, relay: relay)
    }

    /// `ip:port`, `[ipv6]:port` or `dns:port`, after `relay:` for a relay.
    public var description: String {
        (isRelay ? Self.relayPrefix : "") + address
    }

    /// `host:port` (`[ipv6]:port`) to connect to: the principal's own, or the relay's.
    public var address: String {
        kind == .ipv6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Whether the host is a wildcard (`0.0.0.0` or `::`): a listening address nobody can dial.
    public var isUnspecified: Bool { host == "0.0.0.0" || host == "::" }

    private static func isIPv4(_ host: String) -> Bool {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            (1...3).contains(part.count) && part.allSatisfy(\.isASCIIDigit) && (Int(part) ?? 256) <= 255
                && !(part.count > 1 && part.hasPrefix("0"))
        }
    }

    /// Hex groups separated by colons, at most one `::`, optionally ending in an IPv4 address.
    private static func isIPv6(_ host: String) -> Bool {
        guard host.utf8.count <= 45, host.filter({ $0 == ":" }).count >= 2 else { return false }
        let doubleColons = host.components(separatedBy: "::").count - 1
        guard doubleColons <= 1 else { return false }
        var groups = host.split(separator: ":", omittingEmptySubsequences: true).map(String.init)
        var groupLimit = 8
        if let last = groups.last, last.contains(".") {
            guard isIPv4(last) else { return false }
            groups.removeLast()
            groupLimit = 6
        }
        guard groups.allSatisfy({ (1...4).contains($0.count) && $0.allSatisfy(\.isHexDigit) }) else { return false }
        return doubleColons == 1 ? groups.count < groupLimit : groups.count == groupLimit
    }

    /// Labels of 1-63 letters, digits and hyphens (not at either end), 253 bytes in all.
    private static func isDNSName(_ host: String) -> Bool {
        guard (1...253).contains(host.utf8.count) else { return false }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            (1...63).contains(label.count) && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        } && !(labels.last?.allSatisfy(\.isASCIIDigit) ?? true)
    }
}

/// Why a locator's text was refused.
public enum LocatorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Not `host:port` or `[ipv6]:port`.
    case malformed(String)
    /// Not an IPv4 address, IPv6 address or DNS name.
    case invalidHost(String)
    /// Not a port from 1 to 65535.
    case invalidPort(String)

    public var description: String {
        switch self {
        case .malformed(let text): "invalid locator \"\(text)\": expected ip:port, [ipv6]:port or dns:port, optionally after relay:"
        case .invalidHost(let host): "invalid locator host \"\(host)\": expected an IP address or a DNS name"
        case .invalidPort(let port): "invalid locator port \"\(port)\": expected 1 to 65535"
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
