import NIOCore
import SNaP2PSession

/// A `host:port` to dial or listen on: an IPv4 address, a DNS name, or an IPv6 address in brackets.
public struct PeerAddress: Sendable, Hashable {
    /// The host, without brackets for IPv6.
    public var host: String
    /// The TCP port.
    public var port: Int

    /// Parses `host:port`, `[ipv6]:port`.
    public init(parsing text: String) throws(SNaP2PError) {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw .invalidAddress(text) }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw .invalidAddress(text) }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else {
                throw .invalidAddress(text)
            }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText) else { throw .invalidAddress(text) }
        try self.init(host: String(host), port: port)
    }

    init(host: String, port: Int) throws(SNaP2PError) {
        guard !host.isEmpty, (0...65535).contains(port) else { throw .invalidAddress("\(host):\(port)") }
        self.host = host
        self.port = port
    }
}

extension SocketAddress {
    /// The address an ``ObservedAddress`` names; `nil` for none a socket could have.
    init?(_ observed: ObservedAddress) {
        try? self.init(packedIPAddress: ByteBuffer(bytes: observed.ip), port: Int(observed.port))
    }

    /// `ip:port`, or `[ip]:port` for IPv6: how connections show their remote.
    var displayText: String {
        let ip = ipAddress ?? "?"
        let host = if case .v6 = self { "[\(ip)]" } else { ip }
        return "\(host):\(port ?? 0)"
    }
}

extension ObservedAddress {
    /// How a socket address looks to the protocol; `nil` for one without an IP (a Unix socket).
    init?(_ address: SocketAddress) {
        guard let port = address.port, let port = UInt16(exactly: port) else { return nil }
        switch address {
        case .v4(let v4):
            self.init(ip: withUnsafeBytes(of: v4.address.sin_addr) { Array($0) }, port: port)
        case .v6(let v6):
            self.init(ip: withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }, port: port)
        case .unixDomainSocket:
            return nil
        }
    }
}
