import Foundation
import Testing
import TestSupport

/// `snap2p wallet derive`, run as a separate process with the phrase piped in.
@Suite struct WalletDeriveCommandTests {
    static var generated: [String: Any] { Vectors.value(Vectors.reference, "wallets", "generateWallet", 0) as! [String: Any] }
    static var phrase: String { generated["mnemonic"] as! String }
    static var accounts: [[String: Any]] { generated["accounts"] as! [[String: Any]] }

    @Test func jsonLinesMatchTheReferenceAccounts() async throws {
        let result = try await SNaP2PExecutable.run(["wallet", "derive", "--accounts", "2", "--json"], input: Self.phrase + "\n")
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.lines.count == 2)
        for (line, account) in zip(result.lines, Self.accounts) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(Set(object.keys) == ["account", "address", "public_key"])
            #expect(object["account"] as? Int == account["index"] as? Int)
            #expect(object["address"] as? String == account["address_mainnet"] as? String)
            #expect(object["public_key"] as? String == account["public_key"] as? String)
        }
    }

    @Test func testnetTextOutputListsEachAccount() async throws {
        let result = try await SNaP2PExecutable.run(["wallet", "derive", "--accounts", "2", "--testnet"], input: Self.phrase)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.lines.count == 3)
        for (line, account) in zip(result.lines.dropFirst(), Self.accounts) {
            let fields = line.split(separator: " ").map(String.init)
            #expect(fields == ["\(account["index"] as! Int)", account["address_testnet"] as! String, account["public_key"] as! String])
        }
    }

    @Test func privateKeysAreNeverPrinted() async throws {
        for arguments in [["wallet", "derive", "--accounts", "2"], ["wallet", "derive", "--accounts", "2", "--json"]] {
            let result = try await SNaP2PExecutable.run(arguments, input: Self.phrase)
            #expect(result.status == 0, "\(result.standardError)")
            for account in Self.accounts {
                let key = String((account["stxPrivateKey"] as! String).prefix(64))
                #expect(!result.standardOutput.contains(key) && !result.standardError.contains(key))
            }
            #expect(!result.standardOutput.contains("abandon"))
        }
    }

    @Test func messyPhraseIsAccepted() async throws {
        let messy = "  " + Self.phrase.uppercased().replacingOccurrences(of: " ", with: "\n  ") + "\n\n"
        let result = try await SNaP2PExecutable.run(["wallet", "derive", "--json"], input: messy)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains(Self.accounts[0]["address_mainnet"] as! String))
    }

    @Test func unknownWordNamesItsPosition() async throws {
        var words = Self.phrase.split(separator: " ").map(String.init)
        words[6] = "bitcoins"
        let result = try await SNaP2PExecutable.run(["wallet", "derive"], input: words.joined(separator: " "))
        #expect(result.status != 0)
        #expect(result.standardError.contains("word 7 is not in the BIP-39 English word list"))
        #expect(!result.standardError.contains("bitcoins"))
        #expect(result.standardOutput.isEmpty)
    }

    @Test func badChecksumIsExplained() async throws {
        let phrase = Self.phrase.replacingOccurrences(of: " art", with: " zoo")
        let result = try await SNaP2PExecutable.run(["wallet", "derive"], input: phrase)
        #expect(result.status != 0)
        #expect(result.standardError.contains("checksum"))
    }

    @Test func wrongWordCountAndEmptyInputAreExplained() async throws {
        let short = try await SNaP2PExecutable.run(["wallet", "derive"], input: "abandon abandon art")
        #expect(short.status != 0)
        #expect(short.standardError.contains("has 3"))
        let empty = try await SNaP2PExecutable.run(["wallet", "derive"], input: "")
        #expect(empty.status != 0)
        #expect(empty.standardError.contains("ended before the seed phrase"))
    }

    @Test func accountCountIsBounded() async throws {
        let result = try await SNaP2PExecutable.run(["wallet", "derive", "--accounts", "0"], input: Self.phrase)
        #expect(result.status != 0)
        #expect(result.standardError.contains("--accounts"))
    }

    @Test func helpShowsExamples() async throws {
        let result = try await SNaP2PExecutable.run(["wallet", "derive", "--help"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("Examples:"))
        #expect(result.standardOutput.contains("snap2p wallet derive --accounts 5 --testnet"))
    }

    @Test func phraseTypedAtATerminalIsNotEchoed() async throws {
        let (status, screen) = try await SNaP2PExecutable.runInTerminal(
            ["wallet", "derive"],
            exchanges: [.init(prompt: "Seed phrase (input hidden): ") { _ in Self.phrase }])
        #expect(status == 0, "\(screen)")
        #expect(screen.contains(Self.accounts[0]["address_mainnet"] as! String))
        #expect(!screen.contains("abandon"))
    }
}
