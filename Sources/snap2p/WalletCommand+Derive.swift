import ArgumentParser
import Foundation
import SNaP2PIdentity
import SNaP2PWire

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
            let mnemonic = try SeedPhraseInput.read()
            let derived = try mnemonic.stacksAccounts(0..<UInt32(accounts), network: testnet ? .testnet : .mainnet)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                for account in derived {
                    let line = try encoder.encode(DerivedAccountJSON(account))
                    print(String(decoding: line, as: UTF8.self))
                }
            } else {
                print("account  address                                    public key")
                for account in derived {
                    let index = "\(account.index)".padding(toLength: 8, withPad: " ", startingAt: 0)
                    let address = account.address.description.padding(toLength: 42, withPad: " ", startingAt: 0)
                    print("\(index) \(address) \(Hex.encode(account.publicKey.bytes))")
                }
            }
        }
    }
}

/// One `--json` line of `wallet derive`.
private struct DerivedAccountJSON: Encodable {
    let account: UInt32
    let address: String
    let publicKey: String

    init(_ account: StacksAccount) {
        self.account = account.index
        self.address = account.address.description
        self.publicKey = Hex.encode(account.publicKey.bytes)
    }

    enum CodingKeys: String, CodingKey {
        case account, address
        case publicKey = "public_key"
    }
}

/// Reads and validates a seed phrase: hidden prompt on a terminal, all of standard input from a pipe.
enum SeedPhraseInput {
    static func read() throws -> Mnemonic {
        let text: String
        if TerminalInput.isInteractive {
            text = try TerminalInput.readSecretLine(
                prompt: "Seed phrase (input hidden): ", what: "seed phrase", maximumBytes: Mnemonic.maximumPhraseBytes)
        } else {
            text = try TerminalInput.readToEnd(what: "seed phrase", maximumBytes: Mnemonic.maximumPhraseBytes)
        }
        return try Mnemonic(phrase: text)
    }
}
