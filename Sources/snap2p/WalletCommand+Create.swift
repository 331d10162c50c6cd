import ArgumentParser
import Foundation
import SNaP2PIdentity

extension WalletCommand {
    /// `snap2p wallet create`: a new 24-word wallet, encrypted under a password.
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a wallet with a new 24-word seed phrase and store it encrypted.",
            discussion: """
                At a terminal: asks for a name (unless --name is given) and a password (twice, hidden), \
                shows the seed phrase once, clears it from the screen (and the scrollback, where the \
                terminal keeps one) once you press Enter, and asks for two of its words back before \
                storing anything.

                From a script (standard input not a terminal): --name is required, the password comes \
                from SNAP2P_PASSWORD or --password-file, and the phrase is printed once on standard \
                output (with --json, in the "phrase" field). It is never shown again except by \
                `snap2p wallet export`.

                Examples:
                  snap2p wallet create
                  snap2p wallet create --name work --testnet
                  SNAP2P_PASSWORD=... snap2p wallet create --name ci --json < /dev/null
                """
        )

        @OptionGroup var storeOptions: WalletStoreOptions
        @OptionGroup var passwordOptions: PasswordOptions

        @Option(help: "The wallet's name (1-\(WalletStore.maximumNameLength) characters).")
        var name: String?

        @Flag(help: "Use the Stacks testnet (ST... addresses) instead of mainnet (SP...).")
        var testnet = false

        @Flag(help: "Print one JSON object: name, address, network, created_at, phrase.")
        var json = false

        func run() throws {
            let store = storeOptions.store
            let interactive = TerminalInput.isInteractive
            let name = try WalletPrompts.name(given: name, interactive: interactive)
            try WalletPrompts.checkNameIsFree(name, in: store)
            let password = try passwordOptions.password(forNewWallet: true)
            let network: StacksNetwork = testnet ? .testnet : .mainnet
            let wallet: StoredWallet
            let mnemonic: Mnemonic
            if interactive {
                // Nothing is stored until the user has shown they wrote the phrase down.
                mnemonic = Mnemonic.generate()
                WalletPrompts.showOnce(mnemonic)
                try WalletPrompts.confirmWrittenDown(mnemonic)
                wallet = try ProgressSpinner.run(ProgressSpinner.scryptMessage) {
                    try store.restore(mnemonic, name: name, password: password, network: network)
                }
            } else {
                (wallet, mnemonic) = try store.create(name: name, password: password, network: network)
            }
            if json {
                try JSONLines.print(WalletOutput.WalletLine(wallet, phrase: interactive ? nil : mnemonic.phrase))
                return
            }
            if !interactive {
                print("Seed phrase (shown only now; write it down and keep it offline):")
                print(mnemonic.phrase)
            }
            print("Created wallet \"\(wallet.name)\" on \(wallet.network): \(wallet.address)")
        }
    }
}

/// Questions the wallet commands ask at a terminal.
enum WalletPrompts {
    /// `--name`, else (at a terminal) asked for.
    static func name(given: String?, interactive: Bool) throws -> String {
        if let given { return given }
        guard interactive else { throw WalletCommandError("--name is required when standard input is not a terminal") }
        return try TerminalInput.readVisibleLine(prompt: "Wallet name: ", what: "wallet name", maximumBytes: 1024)
    }

    /// Fails early, before a password is asked for, when the name is already used.
    static func checkNameIsFree(_ name: String, in store: WalletStore) throws {
        if try store.list().contains(where: { $0.name == name }) { throw WalletStoreError.nameTaken(name) }
    }

    /// Clears the screen and, where the terminal keeps one, its scrollback (ESC[2J ESC[3J ESC[H),
    /// so the phrase is not left on display. Only when standard output is a terminal: piped output
    /// is a script's, and gets no escape sequences. A terminal that declares itself dumb gets blank
    /// lines instead, enough to scroll the phrase off its screen.
    static func hidePhrase() {
        fflush(nil)  // the phrase went out through print's buffer
        guard isatty(STDOUT_FILENO) == 1 else { return }
        if ProcessInfo.processInfo.environment["TERM"] == "dumb" {
            TerminalWrite.write(String(repeating: "\n", count: 100), to: STDOUT_FILENO)
        } else {
            TerminalWrite.write("\u{1B}[2J\u{1B}[3J\u{1B}[H", to: STDOUT_FILENO)
        }
    }

    /// Prints the phrase as a numbered grid, with the warning that goes with it.
    static func showOnce(_ mnemonic: Mnemonic) {
        print("\nYour seed phrase. Write these \(mnemonic.words.count) words down, in order, and keep them offline.")
        print("Anyone who has them controls this identity. They are shown only now.\n")
        let columns = 4
        let rows = (mnemonic.words.count + columns - 1) / columns
        for row in 0..<rows {
            var line = ""
            for column in 0..<columns {
                let index = column * rows + row
                guard index < mnemonic.words.count else { continue }
                let number = index + 1 < 10 ? " \(index + 1)" : "\(index + 1)"
                let cell = "\(number). \(mnemonic.words[index])"
                line += cell + String(repeating: " ", count: max(1, 16 - cell.count))
            }
            print("  " + line)
        }
        print("")
    }

    /// Once the user says the words are written down, takes them off the screen (see
    /// ``hidePhrase()``), then asks for two randomly chosen words back, so a phrase nobody wrote
    /// down is not stored and the answers cannot be copied from the screen.
    static func confirmWrittenDown(_ mnemonic: Mnemonic) throws {
        _ = try TerminalInput.readVisibleLine(
            prompt: "Press Enter once they are written down; they will be cleared from the screen. ",
            what: "confirmation", maximumBytes: 256)
        hidePhrase()
        for position in Array(mnemonic.words.indices).shuffled().prefix(2).sorted() {
            let answer = try TerminalInput.readSecretLine(
                prompt: "To confirm, enter word #\(position + 1): ", what: "confirmation", maximumBytes: 256)
            guard answer.trimmingCharacters(in: .whitespaces).lowercased() == mnemonic.words[position] else {
                throw WalletCommandError("word #\(position + 1) does not match; nothing was stored. Run the command again.")
            }
        }
    }
}
