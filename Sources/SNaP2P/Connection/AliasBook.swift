import NIOConcurrencyHelpers
import SNaP2PIdentity

/// The alias cards a peer has received, one per principal: the latest `issued_at` wins, so an
/// older card replayed in a later session does not replace a newer one. Bounded: when full, the
/// card that expires first is forgotten.
final class AliasBook: Sendable {
    /// The most principals remembered.
    static let capacity = 4096

    private let cards = NIOLockedValueBox<[Principal: AliasCard]>([:])

    /// Keeps `card` unless a newer card of its principal is already known.
    func record(_ card: AliasCard) {
        cards.withLockedValue { cards in
            if let held = cards[card.principal], held.issuedAt >= card.issuedAt { return }
            if cards[card.principal] == nil, cards.count >= Self.capacity,
               let soonest = cards.min(by: { $0.value.expiresAt < $1.value.expiresAt })?.key {
                cards[soonest] = nil
            }
            cards[card.principal] = card
        }
    }

    /// The current card of `principal`: the latest received, unless it has expired by `now`.
    func card(of principal: Principal, at now: UInt64) -> AliasCard? {
        cards.withLockedValue { $0[principal] }.flatMap { $0.isExpired(at: now) ? nil : $0 }
    }
}
