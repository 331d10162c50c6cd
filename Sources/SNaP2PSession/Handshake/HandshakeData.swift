import SNaP2PWire

/// What AUTH's `hd` field carries, by the features in force (docs/NAT-TRAVERSAL.md):
/// - neither `alias1` nor `obs1`: nothing (empty, as the TypeScript reference sends);
/// - `alias1` only: the sender's alias card, as it always was (docs/ALIASCARDS.md);
/// - `obs1`: a CBOR map with the card under `card` (only with `alias1`, and only if there is one)
///   and the address the sender sees for the receiver under `obs` (``ObservedAddress`` wire form).
///
/// Nothing in it can refuse a peer: a part that does not parse is dropped, as a bad card is.
struct HandshakeData: Sendable, Hashable {
    /// A serialized alias card.
    var aliasCard: [UInt8]?
    /// The address the sender sees for the receiver.
    var observedAddress: ObservedAddress?

    /// `hd` as sent under `features`; parts a feature does not carry are left out.
    func encoded(for features: SessionFeatures) -> [UInt8] {
        let card = features.exchangesAliasCards ? aliasCard : nil
        guard features.exchangesObservedAddresses else { return card ?? [] }
        var map: [String: CBOR] = [:]
        if let card { map[Self.cardKey] = .bytes(card) }
        if let observedAddress { map[Self.observedKey] = .bytes(observedAddress.encoded) }
        return CBOR.map(map).encoded()
    }

    /// Reads a received `hd` under `features`.
    init(decoding bytes: [UInt8], for features: SessionFeatures) {
        guard features.exchangesObservedAddresses else {
            aliasCard = features.exchangesAliasCards && !bytes.isEmpty ? bytes : nil
            return
        }
        let map = try? CBOR.decode(bytes)
        aliasCard = features.exchangesAliasCards ? map?[Self.cardKey]?.bytes : nil
        observedAddress = map?[Self.observedKey]?.bytes.flatMap(ObservedAddress.init(encoded:))
    }

    init(aliasCard: [UInt8]?, observedAddress: ObservedAddress?) {
        self.aliasCard = aliasCard
        self.observedAddress = observedAddress
    }

    private static let cardKey = "card"
    private static let observedKey = "obs"
}
