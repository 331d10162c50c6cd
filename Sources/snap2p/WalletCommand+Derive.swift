import ArgumentParser
import SNaP2PIdentity

extension WalletCommand {
    /// `snap2p wallet derive`: a seed phrase's addresses and public keys, without storing anything.
    struct Derive: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the addresses and public keys of a seed phrase's accounts.",
            discussion: """
                Reads the seed phrase from standard input (hidden when typed at a terminal) and prints, \
                for each account index, the Stacks address and the compressed public key in hex. \
                Private keys are never printed.

                Examples:
                  snap2p wallet derive
                  snap2p wallet derive --accounts 5 --testnet < phrase.txt
                  printf '%s\\n' "$PHRASE" | snap2p wallet derive --json
                """
        )

        /// Upper bound on `--accounts`, so a typo cannot start an hour of derivations.
        static let maximumAccounts = 1000

        @Option(help: "How many accounts to derive, starting at index 0 (1-\(maximumAccounts)).")
        var accounts = 1

        @Flag(help: "Print testnet addresses (ST...) instead of mainnet (SP...).")
        var testnet = false

        @Flag(help: "Print one JSON object per line with the keys account, address, public_key.")
        var json = false

        func validate() throws {
            guard (1...Self.maximumAccounts).contains(accounts) else {
                throw ValidationError("--accounts must be between 1 and \(Self.maximumAccounts)")
            }
        }

        func run() throws {
            let mnemonic = try TerminalInput.readMnemonic()
            let derived = try mnemonic.stacksAccounts(0..<UInt32(accounts), network: testnet ? .testnet : .mainnet)
            try WalletOutput.printAccounts(derived, json: json)
        }
    }
}
