import ArgumentParser

extension WalletCommand {
    /// `snap2p wallet list`: the stored wallets, without a password.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the stored wallets: name, address, network, creation time.",
            discussion: """
                Needs no password. The wallet used last is marked with *.

                Examples:
                  snap2p wallet list
                  snap2p wallet list --json | jq -r .address
                  snap2p wallet list --wallet-dir ./test-wallets
                """
        )

        @OptionGroup var storeOptions: WalletStoreOptions

        @Flag(help: "Print one JSON object per wallet and line: name, address, network, created_at.")
        var json = false

        func run() throws {
            let store = storeOptions.store
            let wallets = try store.list()
            if wallets.isEmpty && !json {
                print("No wallets in \(store.directory). Create one with: snap2p wallet create")
                return
            }
            try WalletOutput.printWallets(wallets, json: json)
        }
    }
}
