import ArgumentParser
import SNaP2PIdentity

extension WalletCommand {
    /// `snap2p wallet restore`: store an existing seed phrase (from Leather, Xverse, the reference...).
    struct Restore: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store an existing seed phrase, encrypted, and print its address.",
            discussion: """
                Reads the seed phrase from standard input (hidden at a terminal, where the password is \
                then asked for twice). From a script, the password comes from SNAP2P_PASSWORD or \
                --password-file.

                Examples:
                  snap2p wallet restore --name main
                  SNAP2P_PASSWORD=... snap2p wallet restore --name ci --testnet --json < phrase.txt
                  snap2p wallet restore --name main --password-file ~/.secrets/snap2p < phrase.txt
                """
        )

        @OptionGroup var storeOptions: WalletStoreOptions
        @OptionGroup var passwordOptions: PasswordOptions

        @Option(help: "The wallet's name (1-\(WalletStore.maximumNameLength) characters).")
        var name: String

        @Flag(help: "Use the Stacks testnet (ST... addresses) instead of mainnet (SP...).")
        var testnet = false

        @Flag(help: "Print one JSON object: name, address, network, created_at.")
        var json = false

        func run() throws {
            let store = storeOptions.store
            try WalletPrompts.checkNameIsFree(name, in: store)
            let mnemonic = try TerminalInput.readMnemonic()
            let password = try passwordOptions.password(forNewWallet: true)
            let wallet = try ProgressSpinner.run(ProgressSpinner.scryptMessage) {
                try store.restore(mnemonic, name: name, password: password, network: testnet ? .testnet : .mainnet)
            }
            if json {
                try JSONLines.print(WalletOutput.WalletLine(wallet))
            } else {
                print("Restored wallet \"\(wallet.name)\" on \(wallet.network): \(wallet.address)")
            }
        }
    }
}
