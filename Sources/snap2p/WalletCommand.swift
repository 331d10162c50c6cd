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
              snap2p wallet derive --accounts 3
            """,
        subcommands: [
            Derive.self,
        ]
    )
}
