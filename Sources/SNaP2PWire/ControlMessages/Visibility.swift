/// How discoverable a peer is; sent in HELLO `vis`.
public enum Visibility: UInt8, Sendable, Hashable, CaseIterable {
    /// Anyone may connect.
    case `public` = 0
    /// Only principals on the allowlist are admitted.
    case `private` = 1
    /// Dialers must KNOCK with an invite token before the listener reveals itself.
    case stealth = 2
}
