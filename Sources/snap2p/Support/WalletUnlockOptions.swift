import ArgumentParser
import Foundation
import SNaP2P

/// `--wallet NAME` with `--wallet-dir` and `--password-file`: run a command as a stored wallet's
/// identity instead of a throwaway one. Any command that makes a `Peer` adopts it with
/// `@OptionGroup var walletOptions: WalletUnlockOptions` and `try walletOptions.unlockOrExit(...)`.
struct WalletUnlockOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Prove this stored wallet's identity (name or id; see `snap2p wallet list`) instead of a throwaway one. "
            + "The password comes from SNAP2P_PASSWORD, --password-file, or a hidden prompt.",
        valueName: "name"))
    var wallet: String?

    @OptionGroup var storeOptions: WalletStoreOptions
    @OptionGroup var passwordOptions: PasswordOptions

    /// ``unlock(testnet:)`` for commands that report their own errors: a failure is printed (with
    /// `json`, also as an `error` event) and ends the command with its exit status.
    func unlockOrExit(testnet: Bool, json: Bool) throws -> (any Wallet)? {
        do {
            return try unlock(testnet: testnet)
        } catch {
            throw error.exit(json: json)
        }
    }

    /// The unlocked wallet, or `nil` without `--wallet` (the peer then makes a throwaway identity).
    /// The wallet's network decides, but a mainnet wallet with `--testnet` is refused rather than
    /// silently used. Failures come back as ``CommandFailure``s with status `walletUnavailable`.
    func unlock(testnet: Bool) throws(CommandFailure) -> (any Wallet)? {
        guard let wallet else { return nil }
        let store = storeOptions.store
        do {
            let stored = try store.wallet(wallet)
            if testnet && stored.network != .testnet {
                throw CommandFailure(
                    "wallet \"\(stored.name)\" is a \(stored.network) wallet (\(stored.address)), not a testnet one",
                    hint: "drop --testnet (a stored wallet's network decides), or use a testnet wallet", status: .walletUnavailable)
            }
            let password = try passwordOptions.password(forNewWallet: false)
            return try ProgressSpinner.run("Unlocking wallet \"\(stored.name)\" (scrypt)...") {
                try store.unlock(stored.id, password: password)
            }
        } catch let failure as CommandFailure {
            throw failure
        } catch let error as WalletStoreError {
            throw Self.explain(error, wallet: wallet, directory: store.directory, scripted: passwordOptions.isScripted)
        } catch {
            throw CommandFailure("cannot unlock wallet \"\(wallet)\": \(error)",
                hint: "set SNAP2P_PASSWORD, pass --password-file, or run at a terminal to be asked", status: .walletUnavailable)
        }
    }

    private static func explain(_ error: WalletStoreError, wallet: String, directory: String, scripted: Bool) -> CommandFailure {
        switch error {
        case .walletNotFound:
            CommandFailure(
                "no wallet named \"\(wallet)\" in \(directory)",
                hint: "see the stored wallets with `\(Invocation.name) wallet list`; create one with `\(Invocation.name) wallet create --name \(wallet)`",
                status: .walletUnavailable)
        case .wrongPassword:
            CommandFailure(
                "wrong password for wallet \"\(wallet)\"",
                hint: scripted
                    ? "check SNAP2P_PASSWORD or --password-file, or leave both out to be asked"
                    : "it is the password chosen when the wallet was created or restored; try again",
                status: .walletUnavailable)
        default:
            CommandFailure("cannot unlock wallet \"\(wallet)\": \(error)", status: .walletUnavailable)
        }
    }
}

extension PasswordOptions {
    /// Whether the password comes from a script (`--password-file` or SNAP2P_PASSWORD) rather than
    /// a person at a prompt, who can be asked again.
    var isScripted: Bool {
        passwordFile != nil || !(ProcessInfo.processInfo.environment[Self.environmentVariable] ?? "").isEmpty
    }
}
