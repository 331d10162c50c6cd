import ArgumentParser
import SNaP2P

/// `--alias NAME [--display-name TEXT]`: the alias card a session presents (docs/ALIASCARDS.md).
/// Without `--alias`, a stored wallet (`--wallet`) presents the alias of its stored card, if any.
struct AliasOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Present this alias to peers (a card signed by this identity; peers show it beside the principal).",
        valueName: "name"))
    var alias: String?

    @Option(help: ArgumentHelp("With --alias: the display name on the card (up to 64 characters).", valueName: "text"))
    var displayName: String?

    func validate() throws {
        guard let alias else {
            if displayName != nil { throw ValidationError("--display-name needs --alias") }
            return
        }
        do {
            _ = try PeerConfiguration.Alias(alias, displayName: displayName ?? "")
        } catch {
            throw ValidationError("--alias \(alias): \(error)")
        }
    }

    /// ``resolve(wallet:store:)`` for commands that report their own errors: a failure is printed
    /// (with `json`, also as an `error` event) and ends the command with its exit status.
    func resolveOrExit(wallet: String?, store: WalletStore, json: Bool) throws -> PeerConfiguration.Alias? {
        do {
            return try resolve(wallet: wallet, store: store)
        } catch {
            throw error.exit(json: json)
        }
    }

    /// The alias to present: `--alias`, else the stored card's of `wallet`, else none.
    func resolve(wallet: String?, store: WalletStore) throws(CommandFailure) -> PeerConfiguration.Alias? {
        if let alias {
            // Checked in validate().
            return try? PeerConfiguration.Alias(alias, displayName: displayName ?? "")
        }
        guard let wallet else { return nil }
        do {
            guard let card = try store.aliasCard(of: wallet) else { return nil }
            return try PeerConfiguration.Alias(card.alias, displayName: card.displayName)
        } catch WalletStoreError.walletNotFound {
            return nil  // unlocking the wallet reports it
        } catch {
            throw CommandFailure("cannot use the alias card of wallet \"\(wallet)\": \(error)",
                hint: "set it again with `\(Invocation.name) alias set NAME --wallet \(wallet)`", status: .walletUnavailable)
        }
    }
}
