extension WalletStore {
    /// Keeps `card` as the alias card of the wallet `nameOrID`, in `<id>.aliascard` beside its
    /// wallet file (the card's CBOR bytes, owner-only, replaced atomically). The card must be the
    /// wallet's own: its principal is the wallet's address.
    public func storeAliasCard(_ card: AliasCard, for nameOrID: String) throws(WalletStoreError) {
        let stored = try wallet(nameOrID)
        guard card.principal.address == stored.address else {
            throw .malformedFile(path: files.filePath(Self.aliasCardFileName(stored.id)), reason: "the card is \(card.principal)'s, not this wallet's")
        }
        try files.withExclusiveLock { () throws(WalletStoreError) in
            try files.replace(Self.aliasCardFileName(stored.id), with: card.serialized())
        }
    }

    /// The alias card stored for the wallet `nameOrID`, or `nil` when it has none. The card is
    /// decoded but not verified (it may have expired); a card of another principal is refused.
    public func aliasCard(of nameOrID: String) throws(WalletStoreError) -> AliasCard? {
        let stored = try wallet(nameOrID)
        let name = Self.aliasCardFileName(stored.id)
        let path = files.filePath(name)
        guard let bytes = try files.contents(of: name, maximumBytes: AliasCard.maximumSerializedLength, ownerOnly: true) else {
            return nil
        }
        let card: AliasCard
        do { card = try AliasCard(serialized: bytes) } catch { throw .malformedFile(path: path, reason: "\(error)") }
        guard card.principal.address == stored.address else {
            throw .malformedFile(path: path, reason: "the card is \(card.principal)'s, not this wallet's")
        }
        return card
    }

    static func aliasCardFileName(_ id: String) -> String { "\(id).aliascard" }
}
