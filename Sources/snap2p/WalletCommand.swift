import ArgumentParser

/// `snap2p wallet`: the Stacks wallets (BIP-39 seed phrases) whose addresses are SNaP2P identities.
struct WalletCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wallet",
        abstract: "Derive, create, restore and manage Stacks wallets (BIP-39 seed phrases).",
        discussion: """
            A wallet is a 24-word seed phrase; its account 0 address (m/44'/5757'/0'/0/0, the one \
            Leather and Xverse show first) is the identity a peer proves. Stored wallets are encrypted \
            with a password (scrypt + AES-256-GCM) in the same format as the TypeScript reference.

            Examples:
              snap2p wallet create --name main
              snap2p wallet list
              snap2p wallet derive --accounts 3 < phrase.txt
              SNAP2P_PASSWORD=... snap2p wallet restore --name ci --json < phrase.txt
            """,
        subcommands: [
            Accounts.self,
            Create.self,
            Delete.self,
            Derive.self,
            Export.self,
            List.self,
            Rename.self,
            Restore.self,
        ]
    )
}

/// A wallet command that cannot go on, with the sentence to show the user (no usage text: the
/// arguments were fine, the situation is not).
struct WalletCommandError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
