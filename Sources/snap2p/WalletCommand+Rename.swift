import ArgumentParser

extension WalletCommand {
    /// `snap2p wallet rename`: change a stored wallet's name (no password: the phrase is untouched).
    struct Rename: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rename a stored wallet.",
            discussion: """
                Examples:
                  snap2p wallet rename main personal
                  snap2p wallet rename 5539bee28ca4d7ae3e386ea8bb4d8f32 vector --json
                """
        )

        @OptionGroup var storeOptions: WalletStoreOptions

        @Argument(help: "The wallet's current name or id.")
        var wallet: String

        @Argument(help: "The new name.")
        var newName: String

        @Flag(help: "Print one JSON object: name, address, network, created_at.")
        var json = false

        func run() throws {
            let renamed = try storeOptions.store.rename(wallet, to: newName)
            if json {
                try JSONLines.print(WalletOutput.WalletLine(renamed))
            } else {
                print("Renamed to \"\(renamed.name)\" (\(renamed.address))")
            }
        }
    }
}
