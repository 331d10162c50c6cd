import NIOCore

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
    /// `ip:port`, or `[ip]:port` for IPv6: how connections show their remote.
    var displayText: String {
        let ip = ipAddress ?? "?"
        let host = if case .v6 = self { "[\(ip)]" } else { ip }
        return "\(host):\(port ?? 0)"
    }
}
