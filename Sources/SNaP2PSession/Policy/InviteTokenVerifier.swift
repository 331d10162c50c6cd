/// Checks the invite token of a dialer's KNOCK at a stealth listener.
///
/// Redeeming may count a use (single-use or limited tokens), so it is called once per KNOCK.
/// Implementations compare in constant time. A refusal is answered with plaintext AUTH_FAIL
/// INVALID_TOKEN (5); the reason (unknown, expired, used up) is not revealed to the dialer.
public protocol InviteTokenVerifier: Sendable {
    /// True when `token` admits this connection.
    func redeem(inviteToken token: [UInt8]) -> Bool
}
