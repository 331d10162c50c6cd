import ArgumentParser

extension WalletCommand {
    /// `snap2p wallet accounts`: a stored wallet's account addresses (account i is m/44'/5757'/0'/0/i).
    struct Accounts: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a stored wallet's account addresses and public keys (needs its password).",
            discussion: """
                Account 0 is the wallet's identity by default; the others are the further accounts \
                Leather and Xverse show for the same seed phrase. Private keys are never printed.

                Examples:
                  snap2p wallet accounts main --count 3
                  SNAP2P_PASSWORD=... snap2p wallet accounts main --json
                """
        )

        @OptionGroup var storeOptions: WalletStoreOptions
        @OptionGroup var passwordOptions: PasswordOptions

        @Argument(help: "The wallet's name or id.")
        var wallet: String

        @Option(help: "How many accounts to list, starting at index 0 (1-\(Derive.maximumAccounts)).")
        var count = 1

        @Flag(help: "Print one JSON object per line with the keys account, address, public_key.")
        var json = false

        func validate() throws {
            guard (1...Derive.maximumAccounts).contains(count) else {
                throw ValidationError("--count must be between 1 and \(Derive.maximumAccounts)")
            }
        }

        func run() throws {
            let store = storeOptions.store
            let stored = try store.wallet(wallet)
            let password = try passwordOptions.password(forNewWallet: false)
            let accounts = try ProgressSpinner.run(ProgressSpinner.scryptMessage) {
                try store.accounts(stored.id, password: password, count: UInt32(count))
            }
            try WalletOutput.printAccounts(accounts, json: json)
        }
    }
}
