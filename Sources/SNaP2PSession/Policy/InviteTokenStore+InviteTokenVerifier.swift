extension InviteTokenStore: InviteTokenVerifier {
    /// Redeems through the store: unknown, expired and used-up tokens are all refused alike.
    public func redeem(inviteToken token: [UInt8]) -> Bool {
        redeem(token) == .accepted
    }
}
