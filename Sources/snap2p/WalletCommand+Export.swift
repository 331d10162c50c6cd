import ArgumentParser

extension WalletCommand {
    /// `snap2p wallet export`: print a stored wallet's seed phrase (a backup, or to import elsewhere).
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a stored wallet's seed phrase (needs its password).",
            discussion: """
                The phrase goes to standard output: anyone who sees it controls the identity.

                Examples:
                  snap2p wallet export main
                  SNAP2P_PASSWORD=... snap2p wallet export main > backup.txt
                """
        )

        @OptionGroup var storeOptions: WalletStoreOptions
        @OptionGroup var passwordOptions: PasswordOptions

        @Argument(help: "The wallet's name or id.")
        var wallet: String

        func run() throws {
            let store = storeOptions.store
            let stored = try store.wallet(wallet)
            let password = try passwordOptions.password(forNewWallet: false)
            let mnemonic = try ProgressSpinner.run(ProgressSpinner.scryptMessage) {
                try store.exportMnemonic(stored.id, password: password)
            }
            print(mnemonic.phrase)
        }
    }
}
