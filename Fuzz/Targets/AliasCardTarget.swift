import SNaP2PIdentity
import SNaP2PWire

/// `AliasCard(serialized:)` and `verify(at:network:)` on raw bytes (what AUTH `hd` carries).
///
/// Checks: input over 512 bytes is refused before it is decoded; allocation stays proportional to
/// the input; a decoded card re-serializes to bytes that decode to it, and a canonical input with
/// exactly the v1 fields re-serializes to itself; a card that verifies holds a normalized alias
/// and a display name the rules accept, is valid for at most 365 days, and the window around
/// `now` is respected; `isExpired` agrees with `expires_at`.
enum AliasCardTarget {
    static let target = FuzzTarget("alias-card", dictionary: "cbor", maximumLength: 1024, prepare: Identities.prepare) { input in
        let limit = input.count > AliasCard.maximumSerializedLength ? 1024 : CBORTarget.allocationLimit(input.count)
        let decoded = withAllocationLimit(limit, "AliasCard(serialized:) of \(input.count) bytes") {
            Result { () throws(AliasCardError) in try AliasCard(serialized: input) }
        }
        guard case .success(let card) = decoded else { return }
        invariant(input.count <= AliasCard.maximumSerializedLength, "decoded \(input.count) bytes, over the limit")

        let serialized = card.serialized()
        let again = Result { () throws(AliasCardError) in try AliasCard(serialized: serialized) }
        invariant(again == .success(card), "serialized() does not decode to the same card: \(again)")
        if let item = try? CBOR.decode(input), item.encoded() == input, item.map?.count == 9 {
            invariant(serialized == input, "a canonical v1 card re-serializes to other bytes")
        }

        let skew = NodeKeyAttestation.clockSkewTolerance
        for now in [card.issuedAt, card.issuedAt &- skew &- 1, card.expiresAt, card.expiresAt &+ skew].map({ min($0, .max - 1) }) {
            invariant(card.isExpired(at: now) == (card.expiresAt <= now), "isExpired(at: \(now)) disagrees with expires_at")
            for network in StacksNetwork.allCases {
                guard (try? card.verify(at: now, network: network)) != nil else { continue }
                invariant((try? AliasCard.normalize(alias: card.alias)) == card.alias, "a card with an unnormalized alias verified")
                invariant((try? AliasCard.check(displayName: card.displayName)) != nil, "a card with a bad display name verified")
                invariant(card.expiresAt > card.issuedAt && card.expiresAt - card.issuedAt <= AliasCard.maximumValidity, "validity span out of range verified")
                invariant(card.issuedAt <= now &+ skew && card.expiresAt &+ skew > now, "verified outside its window at \(now)")
                invariant(card.principal.network == network, "verified for the other network")
            }
        }
    }
}
