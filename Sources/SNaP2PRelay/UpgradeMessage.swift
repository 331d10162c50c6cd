import SNaP2PWire

/// One message of the `upgrade-1` protocol, the direct upgrade of a relayed session
/// (docs/NAT-TRAVERSAL.md, "Direct upgrade").
///
/// On the wire like the relay's: one frame, `varint(length) || canonical CBOR map` with a text
/// `type` and `v: 1`. The relayed dialer opens the stream and sends `connect`; the other side
/// answers `connect`; the dialer sends `sync` and both start a simultaneous open (the dialer half
/// the measured round trip after `sync`, the other side on receiving it). Each side that moved
/// onto the direct session sends `switched`; a side retires the relayed session once it has
/// received the remote's.
public enum UpgradeMessage: Sendable, Hashable {
    /// Where the sender may be reached directly, `ip:port` texts: the public address its relay
    /// saw (`obs1`) and the local address of its session with the relay
    /// (`{"addrs": [text], "type": "connect", "v": 1}`).
    case connect(addresses: [String])
    /// Dialer to the other side: start the simultaneous open now (`{"type": "sync", "v": 1}`).
    case sync
    /// The sender's new streams go over the direct session from now on (`{"type": "switched", "v": 1}`).
    case switched

    /// The label of the stream, opened only on relayed sessions where both sides announced `upgrade1`.
    public static let streamLabel = "upgrade-1"
    /// The HELLO capability that enables the protocol.
    public static let capability = "upgrade1"
    /// Every message's `v`.
    public static let version: UInt64 = 1
    /// At most this many addresses in a `connect`, each of at most ``maximumAddressLength`` bytes.
    public static let maximumAddresses = 8
    /// See ``maximumAddresses``: `[ipv6]:port` fits.
    public static let maximumAddressLength = 64

    /// The `type` on the wire.
    public var type: String {
        switch self {
        case .connect: "connect"
        case .sync: "sync"
        case .switched: "switched"
        }
    }

    /// The framed message; addresses past the limits are left out.
    public func encoded() -> [UInt8] {
        var map: [String: CBOR] = ["type": .text(type), "v": .unsigned(Self.version)]
        if case .connect(let addresses) = self {
            let kept = addresses.filter { !$0.isEmpty && $0.utf8.count <= Self.maximumAddressLength }.prefix(Self.maximumAddresses)
            map["addrs"] = .array(kept.map { .text($0) })
        }
        return Framing.frame(CBOR.map(map).encoded())
    }
}

extension UpgradeMessage: FramedMessage {
    /// ``RelayProtocol/maximumMessageLength``, as for `relay-1`.
    public static var maximumMessageLength: Int { RelayProtocol.maximumMessageLength }

    /// Reads a message frame's body, checking every field; unknown keys are ignored.
    public init(decoding body: [UInt8]) throws(RelayProtocolError) {
        let item: CBOR
        do {
            item = try CBOR.decode(body)
        } catch {
            throw .malformed("an upgrade message is not valid CBOR (\(error))")
        }
        guard let map = item.map else { throw .malformed("an upgrade message is not a CBOR map") }
        guard let version = map["v"]?.uint else { throw .malformed("an upgrade message has no version \"v\"") }
        guard version == Self.version else { throw .unsupportedVersion(version) }
        guard let type = map["type"]?.text else { throw .malformed("an upgrade message has no text \"type\"") }
        switch type {
        case "connect":
            guard case .array(let items) = map["addrs"], items.count <= Self.maximumAddresses else {
                throw .malformed("\"connect\" has no \"addrs\" array of at most \(Self.maximumAddresses) addresses")
            }
            var addresses: [String] = []
            for item in items {
                guard case .text(let text) = item, !text.isEmpty, text.utf8.count <= Self.maximumAddressLength else {
                    throw .malformed("\"connect\" has an address that is not text of 1-\(Self.maximumAddressLength) bytes")
                }
                addresses.append(text)
            }
            self = .connect(addresses: addresses)
        case "sync":
            self = .sync
        case "switched":
            self = .switched
        default:
            throw .malformed("unknown upgrade message type \"\(type.prefix(32))\"")
        }
    }
}
