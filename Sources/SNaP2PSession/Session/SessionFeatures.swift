import SNaP2PStreams

/// A HELLO capability flag (`cap`): the name a peer announces for an optional protocol feature.
public struct SessionCapability: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The flag as it appears in HELLO.
    public let rawValue: String

    /// A capability by its HELLO name.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// `fc1`: per-stream flow-control windows (docs/FLOW-CONTROL.md).
    public static let flowControl = SessionCapability(rawValue: FlowControl.capability)

    /// `alias1`: each side's alias card rides in its AUTH (docs/ALIASCARDS.md).
    public static let aliasCards = SessionCapability(rawValue: "alias1")

    /// `px1`: PX-1 discovery runs on `px-1` streams (docs/PX-1.md); neither side opens one otherwise.
    public static let discovery = SessionCapability(rawValue: "px1")

    /// `relay1`: either side may open `relay-1` streams to reserve, connect or announce relayed
    /// sessions (docs/RELAY.md); never opened towards a peer that did not announce it.
    public static let relay = SessionCapability(rawValue: "relay1")

    /// `obs1`: each side's AUTH tells the other the address it sees for it (docs/NAT-TRAVERSAL.md).
    public static let observedAddresses = SessionCapability(rawValue: "obs1")

    /// `upgrade1`: the relayed dialer may open an `upgrade-1` stream to move a relayed session onto
    /// a direct TCP connection by simultaneous open (docs/NAT-TRAVERSAL.md, "Direct upgrade").
    public static let directUpgrade = SessionCapability(rawValue: "upgrade1")

    /// Every capability this implementation understands, in the order it announces them.
    public static let supported: [SessionCapability] = [
        .flowControl, .aliasCards, .discovery, .relay, .observedAddresses, .directUpgrade,
    ]

    public var description: String { rawValue }
}

/// What both sides of one session agreed to use: computed once from the two HELLOs and fixed for
/// the session's life. A feature is on only when both announced it; flags a peer sends that we do
/// not know are ignored, never fatal (the TypeScript reference sends `cap: []`).
public struct SessionFeatures: Sendable, Hashable, CustomStringConvertible {
    /// The capabilities both sides announced.
    public let capabilities: Set<SessionCapability>

    /// The features in force when we announced `local` and the remote announced `remote`.
    public init(local: [String], remote: [String]) {
        let offered = Set(remote)
        capabilities = Set(
            SessionCapability.supported.filter { local.contains($0.rawValue) && offered.contains($0.rawValue) }
        )
    }

    /// Whether `capability` is in force.
    public func contains(_ capability: SessionCapability) -> Bool { capabilities.contains(capability) }

    /// Whether streams have `fc1` windows.
    public var isFlowControlled: Bool { contains(.flowControl) }

    /// Whether the two sides exchange alias cards.
    public var exchangesAliasCards: Bool { contains(.aliasCards) }

    /// Whether both sides speak the relay protocol.
    public var speaksRelay: Bool { contains(.relay) }

    /// Whether the two sides tell each other the address they see.
    public var exchangesObservedAddresses: Bool { contains(.observedAddresses) }

    /// Whether a relayed session may be upgraded to a direct one.
    public var upgradesDirectly: Bool { contains(.directUpgrade) }

    public var description: String {
        capabilities.isEmpty ? "none" : capabilities.map(\.rawValue).sorted().joined(separator: ",")
    }
}
