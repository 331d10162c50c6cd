import ArgumentParser
import SNaP2PIdentity

extension WalletCommand {
    /// `snap2p wallet delete`: remove a stored wallet.
    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a stored wallet. Without a backup of its seed phrase, its identity is lost.",
            discussion: """
                At a terminal, asks you to type the wallet's name again; from a script, pass --yes.

                Examples:
                  snap2p wallet delete old
                  snap2p wallet delete 5539bee28ca4d7ae3e386ea8bb4d8f32 --yes
                """
        )

        @OptionGroup var storeOptions: WalletStoreOptions

        @Argument(help: "The wallet's name or id.")
        var wallet: String

        @Flag(help: "Delete without asking.")
        var yes = false

        func run() throws {
            let store = storeOptions.store
            let stored = try store.wallet(wallet)
            if !yes {
                guard TerminalInput.isInteractive else {
                    throw WalletCommandError("pass --yes to delete without a terminal to confirm on")
                }
                let answer = try TerminalInput.readVisibleLine(
                    prompt: "Delete \"\(stored.name)\" (\(stored.address))? Type its name to confirm: ",
                    what: "confirmation", maximumBytes: 1024)
                guard answer == stored.name else { throw WalletCommandError("the name does not match; nothing was deleted") }
            }
            try store.delete(stored.id)
            print("Deleted wallet \"\(stored.name)\" (\(stored.address))")
        }
    }
}
