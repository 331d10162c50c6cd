import SNaP2PIdentity

/// Decides whether an authenticated peer may hold a session, after its attestation and node-key
/// binding verified. A refusal is answered with AUTH_FAIL NOT_ALLOWED (4).
public protocol AuthorizationPolicy: Sendable {
    /// True when `principal` may connect.
    func authorize(_ principal: Principal) -> Bool
}

/// Admits every authenticated peer: the public-visibility default.
public struct AllowAllPolicy: AuthorizationPolicy {
    /// The open policy.
    public init() {}

    public func authorize(_ principal: Principal) -> Bool { true }
}

/// Admits only the listed principals: for private and stealth listeners, or a dialer that expects
/// one particular peer.
public struct AllowlistPolicy: AuthorizationPolicy {
    /// The principals admitted.
    public let principals: Set<Principal>

    /// A policy admitting exactly `principals`.
    public init(_ principals: Set<Principal>) {
        self.principals = principals
    }

    public func authorize(_ principal: Principal) -> Bool { principals.contains(principal) }
}
