import SNaP2PIdentity
import SNaP2PWire

/// What PX-1 may do for a node of a given visibility (SPECS §10.3, normative):
///
/// | visibility | PX-1 by default | pushes hints about itself | answers resolve requests |
/// |---|---|---|---|
/// | public | on | yes | from anyone |
/// | private | on | never | from anyone it holds a session with |
/// | stealth | off | never | only from allowlisted principals |
///
/// Nothing is ever sent outside an authenticated session: PX-1 only runs on sessions.
public struct DiscoveryPolicy: Sendable, Hashable {
    /// The node's visibility.
    public var visibility: Visibility
    /// Whether PX-1 runs at all (announced as the `px1` capability).
    public var isEnabled: Bool
    /// Who a stealth node answers; other visibilities ignore it.
    public var stealthAllowlist: Set<Principal>

    /// The policy of `visibility`; `enabled` overrides its default (on unless stealth).
    public init(visibility: Visibility, enabled: Bool? = nil, stealthAllowlist: Set<Principal> = []) {
        self.visibility = visibility
        self.isEnabled = enabled ?? (visibility != .stealth)
        self.stealthAllowlist = stealthAllowlist
    }

    /// Whether this node tells its peers where it listens.
    public var pushesItself: Bool { isEnabled && visibility == .public }

    /// Whether a resolve request from `requester` is answered (an empty answer otherwise).
    public func answers(_ requester: Principal) -> Bool {
        guard isEnabled else { return false }
        return visibility != .stealth || stealthAllowlist.contains(requester)
    }

    /// Whether hints pushed by peers are kept.
    public var learnsPushes: Bool { isEnabled }
}
