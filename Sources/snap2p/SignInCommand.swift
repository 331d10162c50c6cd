import ArgumentParser
import Foundation
import SNaP2P

/// `snap2p signin`: the reference demo's interactive sign-in. Choose a stored identity and unlock
/// it, or create, restore or delete one, then see the principal and how to use it.
struct SignInCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signin",
        abstract: "Choose, unlock, create, restore or delete a wallet identity, interactively.",
        discussion: """
            A menu of the stored wallets (arrow keys and Enter; numbers on a terminal that cannot \
            draw one) plus: create a new identity (a 24-word seed phrase, shown once and checked), \
            restore one from a seed phrase (from Leather, Xverse or the TypeScript tool), or delete \
            one. Unlocking asks for the wallet's password, then shows its principal (the identity \
            peers see) and the commands that use it.

            Needs a terminal. Scripts use `snap2p wallet create|restore|list|delete` with \
            SNAP2P_PASSWORD instead, and --wallet NAME on chat, listen and dial.

            Examples:
              snap2p signin
              snap2p signin --testnet                  # new identities on testnet
              snap2p signin --wallet-dir ./wallets

            Exit status: 0 signed in (or quit from the menu), 6 standard input is not a terminal, \
            130 interrupted with Ctrl-C, 1 the wallet store could not be read.
            """
    )

    @OptionGroup var storeOptions: WalletStoreOptions
    @OptionGroup var passwordOptions: PasswordOptions

    @Flag(help: "Create and restore testnet identities (ST... addresses) instead of mainnet (SP...).")
    var testnet = false

    /// Password attempts before going back to the menu.
    static let unlockAttempts = 3

    func run() throws {
        guard TerminalInput.isInteractive else {
            throw CommandFailure(
                "signin is interactive and needs a terminal, but standard input is not one",
                hint: "run it in a terminal; scripts use `\(Invocation.name) wallet create|restore` with SNAP2P_PASSWORD "
                    + "and --wallet NAME on chat, listen and dial",
                status: .needsTerminal
            ).exit()
        }
        let style = TextStyle.standardError
        let store = storeOptions.store
        TerminalInput.writeToStandardError(style.bold(style.cyan("SNaP2P sign-in")) + style.dim("  (wallets in \(store.directory))") + "\n\n")
        do {
            while true {
                let wallets = try store.list()
                let choice = try mainMenu(wallets).choose()
                let item: Int
                switch choice {
                case .interrupt: throw ExitCode(ExitStatus.interrupted.rawValue)
                case .back: return
                case .item(let index): item = index
                }
                let signedIn: (StoredWallet, any Wallet)?
                switch MenuEntry(item, wallets: wallets) {
                case .wallet(let stored): signedIn = try unlock(stored, store: store)
                case .create: signedIn = try create(store: store)
                case .restore: signedIn = try restore(store: store)
                case .delete:
                    try delete(from: wallets, store: store)
                    signedIn = nil
                case .quit: return
                }
                if let (stored, wallet) = signedIn {
                    showSignedIn(stored, principal: wallet.principal)
                    return
                }
            }
        } catch let failure as CommandFailure {
            throw failure.exit()
        } catch let error as WalletStoreError {
            throw CommandFailure("\(error)", hint: "check the directory, or pass another with --wallet-dir").exit()
        }
    }

    /// The main menu's items: one per stored wallet, then the actions.
    private enum MenuEntry {
        case wallet(StoredWallet)
        case create, restore, delete, quit

        init(_ index: Int, wallets: [StoredWallet]) {
            if index < wallets.count {
                self = .wallet(wallets[index])
                return
            }
            let actions: [MenuEntry] = wallets.isEmpty ? [.create, .restore, .quit] : [.create, .restore, .delete, .quit]
            self = actions[index - wallets.count]
        }
    }

    private func mainMenu(_ wallets: [StoredWallet]) -> ChoiceMenu {
        let width = wallets.map(\.name.count).max() ?? 0
        var items = wallets.map { wallet in
            "Unlock " + wallet.name.padding(toLength: width, withPad: " ", startingAt: 0)
                + "  \(Self.shortAddress(wallet.address))  \(wallet.network)"
        }
        items += ["Create a new identity", "Restore an identity from its seed phrase"]
        if !wallets.isEmpty { items.append("Delete an identity") }
        items.append("Quit")
        let title = wallets.isEmpty ? "No identities yet. Create one to get started:" : "Choose an identity, or create one:"
        return ChoiceMenu(title: title, items: items, selected: wallets.firstIndex(where: \.isCurrent) ?? 0)
    }

    /// `SP2J6Z…9EJ7`, as the reference's menu shows addresses.
    private static func shortAddress(_ address: StacksAddress) -> String {
        let text = address.description
        return "\(text.prefix(6))…\(text.suffix(4))"
    }

    // MARK: Steps

    /// Asks for the password (again after a wrong one, up to ``unlockAttempts`` times), or takes
    /// it once from SNAP2P_PASSWORD or --password-file when given.
    private func unlock(_ stored: StoredWallet, store: WalletStore) throws -> (StoredWallet, any Wallet)? {
        let style = TextStyle.standardError
        let attempts = passwordOptions.isScripted ? 1 : Self.unlockAttempts
        for attempt in 1...attempts {
            let password = attempts == 1
                ? try passwordOptions.password(forNewWallet: false)
                : try TerminalInput.readSecretLine(
                    prompt: "Password for \"\(stored.name)\": ", what: "password", maximumBytes: PasswordOptions.maximumBytes)
            do {
                let wallet = try ProgressSpinner.run(ProgressSpinner.scryptMessage) { try store.unlock(stored.id, password: password) }
                return (stored, wallet)
            } catch WalletStoreError.wrongPassword {
                let left = attempts - attempt
                TerminalInput.writeToStandardError(style.red("Wrong password.") + (left > 0 ? " \(left) more tries.\n" : " Back to the menu.\n\n"))
            }
        }
        return nil
    }

    private func create(store: WalletStore) throws -> (StoredWallet, any Wallet)? {
        try recoverable {
            let name = try WalletPrompts.name(given: nil, interactive: true)
            try WalletPrompts.checkNameIsFree(name, in: store)
            let password = try passwordOptions.password(forNewWallet: true)
            let mnemonic = Mnemonic.generate()
            WalletPrompts.showOnce(mnemonic)
            try WalletPrompts.confirmWrittenDown(mnemonic)
            return try save(mnemonic, name: name, password: password, in: store)
        }
    }

    private func restore(store: WalletStore) throws -> (StoredWallet, any Wallet)? {
        try recoverable {
            let mnemonic = try TerminalInput.readMnemonic()
            let name = try WalletPrompts.name(given: nil, interactive: true)
            try WalletPrompts.checkNameIsFree(name, in: store)
            let password = try passwordOptions.password(forNewWallet: true)
            return try save(mnemonic, name: name, password: password, in: store)
        }
    }

    /// Encrypts and stores the phrase, then unlocks it (scrypt twice: what a later command will do).
    private func save(_ mnemonic: Mnemonic, name: String, password: String, in store: WalletStore) throws -> (StoredWallet, any Wallet) {
        let network: StacksNetwork = testnet ? .testnet : .mainnet
        let stored = try ProgressSpinner.run(ProgressSpinner.scryptMessage) {
            try store.restore(mnemonic, name: name, password: password, network: network)
        }
        let wallet = try LocalWallet(mnemonic: mnemonic, network: network)
        TerminalInput.writeToStandardError(TextStyle.standardError.green("Stored") + " wallet \"\(stored.name)\" in \(store.directory)\n")
        return (stored, wallet)
    }

    private func delete(from wallets: [StoredWallet], store: WalletStore) throws {
        let menu = ChoiceMenu(
            title: "Delete which identity? Without its seed phrase it is gone for good.",
            items: wallets.map { "\($0.name)  \($0.address)" } + ["Cancel"])
        guard case .item(let index) = try menu.choose(), index < wallets.count else { return }
        let stored = wallets[index]
        try recoverable { () -> Void in
            let answer = try TerminalInput.readVisibleLine(
                prompt: "Type \"\(stored.name)\" to delete it: ", what: "confirmation", maximumBytes: 1024)
            guard answer == stored.name else { throw WalletCommandError("the name does not match; nothing was deleted") }
            try store.delete(stored.id)
            TerminalInput.writeToStandardError("Deleted \"\(stored.name)\" (\(stored.address)).\n\n")
        }
    }

    /// Runs a step; a mistake in it (a name taken, passwords that differ, a wrong word) is shown
    /// and leads back to the menu instead of ending the command.
    private func recoverable<R>(_ step: () throws -> R) throws -> R? {
        do {
            return try step()
        } catch let error as TerminalInput.Failure {
            throw error
        } catch {
            TerminalInput.writeToStandardError(TextStyle.standardError.red("\(error)") + "\n\n")
            return nil
        }
    }

    // MARK: Done

    private func showSignedIn(_ stored: StoredWallet, principal: Principal) {
        let style = TextStyle.standardOutput
        let name = Invocation.name
        var wallet = Self.shellQuoted(stored.name)
        if let directory = storeOptions.walletDir { wallet += " --wallet-dir \(Self.shellQuoted(directory))" }
        print("")
        print(style.green(style.bold("✓ Signed in")) + " as " + style.cyan(style.bold(principal.description)))
        print(style.dim("  wallet \"\(stored.name)\" on \(stored.network); this is the identity peers see and verify."))
        print("")
        print(style.bold("Use it:"))
        print("  Chat (waits for one peer):  \(name) chat --listen 9000 --wallet \(wallet)")
        print("  Chat with someone waiting:  \(name) chat HOST:9000 --wallet \(wallet)")
        print("  Echo server:                \(name) listen 9000 --wallet \(wallet)")
        print("  Check a peer:               \(name) dial HOST:9000 --wallet \(wallet)")
        print(style.dim("  Each asks for the password again (or reads SNAP2P_PASSWORD / --password-file)."))
        fflush(nil)
    }

    /// `name` as one shell word.
    static func shellQuoted(_ text: String) -> String {
        let safe = text.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_.@/".unicodeScalars.contains($0) }
        return safe ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
