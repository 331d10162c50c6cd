/// The IP address and port one side of a connection sees for the other: what a listener sees as
/// its dialer's source, what a dialer connected to. Behind a NAT that is the NAT's public mapping,
/// which the peer cannot know by itself (docs/NAT-TRAVERSAL.md). Said by the remote, so it is a
/// hint for reaching this peer, never evidence of anything about identity.
public struct ObservedAddress: Sendable, Hashable {
    /// 4 bytes (IPv4) or 16 bytes (IPv6), in network order.
    public let ip: [UInt8]
    /// The TCP port.
    public let port: UInt16

    /// An address of 4 or 16 bytes; `nil` for any other length. An IPv4-mapped IPv6 address
    /// (`::ffff:a.b.c.d`, how a dual-stack listener sees IPv4 dialers) is kept as its IPv4 address.
    public init?(ip: [UInt8], port: UInt16) {
        switch ip.count {
        case 4:
            self.ip = ip
        case 16 where ip.prefix(12).elementsEqual(Self.ipv4MappedPrefix):
            self.ip = Array(ip.suffix(4))
        case 16:
            self.ip = ip
        default:
            return nil
        }
        self.port = port
    }

    private static let ipv4MappedPrefix: [UInt8] = Array(repeating: 0, count: 10) + [0xff, 0xff]

    /// Its wire form: the address bytes, then the port big-endian (6 or 18 bytes).
    public var encoded: [UInt8] { ip + [UInt8(port >> 8), UInt8(port & 0xff)] }

    /// Reads the wire form; `nil` unless it is 6 or 18 bytes.
    public init?(encoded bytes: [UInt8]) {
        guard bytes.count == 6 || bytes.count == 18 else { return nil }
        let port = UInt16(bytes[bytes.count - 2]) << 8 | UInt16(bytes[bytes.count - 1])
        self.init(ip: Array(bytes.dropLast(2)), port: port)
    }
}
