/// How a ``Connection``'s bytes reach its remote: over a TCP connection of its own, or inside a
/// stream of a session with a relay (docs/RELAY.md). Either way the session is end-to-end
/// encrypted and authenticated between the two peers; a relay only forwards ciphertext.
public enum ConnectionPath: Sendable, Hashable, CustomStringConvertible {
    /// A TCP connection to the remote's address (`ip:port`, `[ipv6]:port`), when known.
    case direct(remoteAddress: String?)
    /// Relayed by the peer `relay`, reached at `relayAddress` when known.
    case relayed(via: Principal, relayAddress: String?)

    /// Whether a relay forwards the session.
    public var isRelayed: Bool {
        if case .relayed = self { true } else { false }
    }

    /// `direct 203.0.113.5:9000` or `relayed via stacks:SP… (198.51.100.7:9000)`.
    public var description: String {
        switch self {
        case .direct(let address): "direct" + (address.map { " \($0)" } ?? "")
        case .relayed(let relay, let address): "relayed via \(relay)" + (address.map { " (\($0))" } ?? "")
        }
    }
}
