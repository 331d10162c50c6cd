import ArgumentParser
import Foundation
import SNaP2P
import SNaP2PIdentity
import SNaP2PWire

/// `snap2p alias`: the alias card of a stored wallet, a self-chosen name peers show beside its
/// principal (docs/ALIASCARDS.md).
struct AliasCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alias",
        abstract: "Sign and show alias cards: a name peers show beside your principal.",
        discussion: """
            An alias card is signed by a wallet and says "call me alice (Alice 🌻)". Aliases are not \
            unique and not registered, so peers always show one beside the principal's short form, \
            e.g. Alice (@alice · SP1Y1C…3P50). `listen`, `dial` and `chat` with --wallet present the \
            stored card's alias (re-signed every 7 days); --alias presents one for any identity.

            Examples:
              snap2p alias set alice --display-name "Alice 🌻" --wallet main
              snap2p alias show --wallet main --json
            """,
        subcommands: [Set.self, Show.self]
    )
}

extension AliasCommand {
    /// `snap2p alias set`: signs a card with a stored wallet and keeps it beside the wallet file.
    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign an alias card with a stored wallet and keep it.",
            discussion: """
                NAME is normalized (Unicode NFKC, lower case, trimmed) and must then be 1-32 letters, \
                digits, '-', '_' or '.', starting with a letter or digit. The display name may hold \
                up to 64 characters, emoji included, but no control or invisible characters.
                """
        )

        @Argument(help: "The alias, e.g. alice.")
        var name: String

        @Option(help: ArgumentHelp("The display name, e.g. \"Alice 🌻\" (default: none).", valueName: "text"))
        var displayName = ""

        @Option(help: "Days the card is valid (1-365); peers stop showing it after that.")
        var days: UInt64 = AliasCard.defaultValidity / 86_400

        @Flag(help: "Print one JSON object: wallet, principal, alias, display_name, issued_at, expires_at, expired, card.")
        var json = false

        @OptionGroup var walletOptions: WalletUnlockOptions

        func validate() throws {
            guard walletOptions.wallet != nil else { throw ValidationError("--wallet NAME is required: the card is signed by a stored wallet") }
            guard (1...365).contains(days) else { throw ValidationError("--days must be 1-365") }
            do {
                _ = try PeerConfiguration.Alias(name, displayName: displayName)
            } catch {
                throw ValidationError("\(error)")
            }
        }

        func run() async throws {
            guard let walletName = walletOptions.wallet, let wallet = try walletOptions.unlockOrExit(testnet: false, json: json) else { return }
            do {
                let card = try await AliasCard.issue(wallet: wallet, alias: name, displayName: displayName, validity: days * 86_400)
                try walletOptions.storeOptions.store.storeAliasCard(card, for: walletName)
                try AliasOutput.print(card, wallet: walletName, json: json, heading: "Alias card signed and stored")
            } catch let failure as CommandFailure {
                throw failure.exit(json: json)
            } catch {
                throw CommandFailure("cannot set the alias of wallet \"\(walletName)\": \(error)", status: .walletUnavailable).exit(json: json)
            }
        }
    }

    /// `snap2p alias show`: the stored cards (no password needed).
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the alias card of a stored wallet, or of every wallet that has one."
        )

        @Option(help: ArgumentHelp("Only this wallet (name or id).", valueName: "name"))
        var wallet: String?

        @Flag(help: "Print one JSON object per card: wallet, principal, alias, display_name, issued_at, expires_at, expired, card.")
        var json = false

        @OptionGroup var storeOptions: WalletStoreOptions

        func run() throws {
            let store = storeOptions.store
            do {
                let wallets = try wallet.map { [try store.wallet($0)] } ?? store.list()
                var shown = 0
                for stored in wallets {
                    guard let card = try store.aliasCard(of: stored.id) else { continue }
                    try AliasOutput.print(card, wallet: stored.name, json: json, heading: nil)
                    shown += 1
                }
                if shown == 0 {
                    let hint = "set one with `\(Invocation.name) alias set NAME --wallet \(wallet ?? "W")`"
                    guard wallet == nil else { throw CommandFailure("wallet \"\(wallet ?? "")\" has no alias card", hint: hint) }
                    if !json { Swift.print("No alias cards in \(store.directory); \(hint).") }
                }
            } catch let failure as CommandFailure {
                throw failure.exit(json: json)
            } catch {
                throw CommandFailure("\(error)", status: .walletUnavailable).exit(json: json)
            }
        }
    }
}

/// How `alias set` and `alias show` print a card.
enum AliasOutput {
    struct CardLine: Encodable {
        let wallet: String
        let principal: String
        let alias: String
        let displayName: String
        let issuedAt: UInt64
        let expiresAt: UInt64
        let expired: Bool
        let card: String

        enum CodingKeys: String, CodingKey {
            case wallet, principal, alias, expired, card
            case displayName = "display_name"
            case issuedAt = "issued_at"
            case expiresAt = "expires_at"
        }
    }

    static func print(_ card: AliasCard, wallet: String, json: Bool, heading: String?) throws {
        let expired = card.isExpired(at: WallClock.unixSeconds())
        if json {
            try JSONLines.print(CardLine(
                wallet: wallet, principal: card.principal.description, alias: card.alias, displayName: card.displayName,
                issuedAt: card.issuedAt, expiresAt: card.expiresAt, expired: expired, card: Hex.encode(card.serialized())))
            return
        }
        if let heading { Swift.print(heading + ":") }
        Swift.print("@\(card.alias)" + (card.displayName.isEmpty ? "" : " · \(card.displayName.withoutControlCharacters)"))
        Swift.print("  wallet     \(wallet)")
        Swift.print("  principal  \(card.principal)")
        Swift.print("  expires    \(iso8601(card.expiresAt))" + (expired ? " (expired)" : ""))
        Swift.print("  card       \(Hex.encode(card.serialized()))")
    }

    private static func iso8601(_ seconds: UInt64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(seconds)))
    }
}
