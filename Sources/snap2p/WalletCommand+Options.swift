import ArgumentParser
import Foundation
import SNaP2PIdentity

/// `--wallet-dir`: which wallet store a command uses.
struct WalletStoreOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The wallet directory (default: $SNAP2P_HOME/wallets, else ~/.snap2p/wallets).", valueName: "directory"))
    var walletDir: String?

    /// The store at `--wallet-dir` or the default location.
    var store: WalletStore { WalletStore(directory: walletDir) }
}

/// Where a wallet password comes from: `--password-file`, else `SNAP2P_PASSWORD`, else a hidden
/// prompt on a terminal. Never a command-line argument (other users can read those in `ps`).
struct PasswordOptions: ParsableArguments {
    /// The environment variable scripts set.
    static let environmentVariable = "SNAP2P_PASSWORD"
    /// Longest password accepted from any source.
    static let maximumBytes = 1024

    @Option(help: ArgumentHelp(
        "Read the password from the first line of this file (instead of SNAP2P_PASSWORD or a prompt).",
        valueName: "file"))
    var passwordFile: String?

    /// The password. `confirm` asks twice at a terminal (for a new wallet); a password that is too
    /// short for a new wallet is refused before anything slow happens.
    func password(forNewWallet: Bool) throws -> String {
        let password: String
        if let passwordFile {
            password = try Self.firstLine(ofFile: passwordFile)
        } else if let value = ProcessInfo.processInfo.environment[Self.environmentVariable], !value.isEmpty {
            password = value
        } else if TerminalInput.isInteractive {
            let prompt = forNewWallet ? "New password (at least \(WalletStore.minimumPasswordLength) characters): " : "Password: "
            password = try TerminalInput.readSecretLine(prompt: prompt, what: "password", maximumBytes: Self.maximumBytes)
            if forNewWallet {
                try Self.checkLength(password)
                let repeated = try TerminalInput.readSecretLine(
                    prompt: "Repeat the password: ", what: "password", maximumBytes: Self.maximumBytes)
                guard repeated == password else { throw WalletCommandError("the passwords do not match") }
            }
        } else {
            throw WalletCommandError(
                "no password: set \(Self.environmentVariable) or pass --password-file (standard input is not a terminal)")
        }
        if forNewWallet { try Self.checkLength(password) }
        return password
    }

    private static func checkLength(_ password: String) throws {
        guard password.count >= WalletStore.minimumPasswordLength else {
            throw WalletStoreError.passwordTooShort(minimum: WalletStore.minimumPasswordLength)
        }
    }

    private static func firstLine(ofFile path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw WalletCommandError("cannot read the password file \(path)")
        }
        defer { try? handle.close() }
        guard var data = try handle.read(upToCount: maximumBytes + 1), data.count <= maximumBytes else {
            throw WalletCommandError("the password file \(path) is empty or longer than \(maximumBytes) bytes")
        }
        defer { data.withUnsafeMutableBytes { secureZero($0) } }
        let line = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).first ?? Data()
        let password = String(decoding: line.last == UInt8(ascii: "\r") ? line.dropLast() : line, as: UTF8.self)
        guard !password.isEmpty else { throw WalletCommandError("the password file \(path) starts with an empty line") }
        return password
    }
}
