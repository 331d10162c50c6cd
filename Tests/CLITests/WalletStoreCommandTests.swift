import Foundation
import Testing
import TestSupport

/// `snap2p wallet create|restore|list|delete|export|rename|accounts`, run as separate processes
/// against a temporary wallet directory: from a script (pipes, SNAP2P_PASSWORD, --password-file)
/// and at a pseudo-terminal.
@Suite struct WalletStoreCommandTests {
    static let password = "correct horse battery"
    static var phrase: String { Vectors.value(Vectors.reference, "wallets", "wallet_manager", "mnemonic") as! String }
    static var accounts: [[String: Any]] { Vectors.value(Vectors.reference, "wallets", "generateWallet", 0, "accounts") as! [[String: Any]] }
    static let referenceAddress = "SP1JAHE8GEHB0MCBGR8J6W0AA7TJEE1XKFTFJMQ5W"

    /// A temporary directory (removed when released); `wallets` inside it is the store.
    final class Scratch {
        let root: URL
        var wallets: String { root.appendingPathComponent("wallets").path }

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("snap2p-cli-wallets-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        }

        deinit { try? FileManager.default.removeItem(at: root) }

        /// `wallets` holding a copy of the reference's wallet directory, owner-only like the reference makes it.
        static func withReferenceWallet() throws -> Scratch {
            let scratch = try Scratch()
            try FileManager.default.copyItem(at: Vectors.referenceWalletDirectory, to: URL(fileURLWithPath: scratch.wallets))
            for name in try FileManager.default.contentsOfDirectory(atPath: scratch.wallets) {
                try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: scratch.wallets + "/" + name)
            }
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: scratch.wallets)
            return scratch
        }

        func mode(_ path: String) throws -> Int {
            try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! Int
        }
    }

    static func jsonObject(_ line: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    // MARK: Scripts

    @Test func restoreListExportAndAccountsFromAScript() async throws {
        let scratch = try Scratch()
        let store = ["--wallet-dir", scratch.wallets]
        let withPassword = ["SNAP2P_PASSWORD": Self.password]

        let restored = try await SNaP2PExecutable.run(
            ["wallet", "restore", "--name", "main", "--json"] + store, input: Self.phrase + "\n", environment: withPassword)
        #expect(restored.status == 0, "\(restored.standardError)")
        let object = try Self.jsonObject(restored.standardOutput)
        #expect(Set(object.keys) == ["name", "address", "network", "created_at"])
        #expect(object["name"] as? String == "main")
        #expect(object["address"] as? String == Self.referenceAddress)
        #expect(object["network"] as? String == "mainnet")

        let testnet = try await SNaP2PExecutable.run(
            ["wallet", "restore", "--name", "test", "--testnet"] + store, input: Self.phrase, environment: withPassword)
        #expect(testnet.status == 0, "\(testnet.standardError)")
        #expect(testnet.standardOutput.contains(Self.accounts[0]["address_testnet"] as! String))

        let listed = try await SNaP2PExecutable.run(["wallet", "list", "--json"] + store)
        let wallets = try listed.lines.map(Self.jsonObject)
        #expect(wallets.map { $0["name"] as? String } == ["main", "test"])
        #expect(wallets.map { $0["network"] as? String } == ["mainnet", "testnet"])
        #expect(wallets.allSatisfy { Set($0.keys) == ["name", "address", "network", "created_at"] })
        let table = try await SNaP2PExecutable.run(["wallet", "list"] + store)
        #expect(table.lines.contains { $0.hasPrefix("* test") && $0.contains("testnet") })
        #expect(table.lines.contains { $0.hasPrefix("  main") && $0.contains(Self.referenceAddress) })

        let passwordFile = scratch.root.appendingPathComponent("password")
        try Data((Self.password + "\n").utf8).write(to: passwordFile)
        let exported = try await SNaP2PExecutable.run(["wallet", "export", "main", "--password-file", passwordFile.path] + store)
        #expect(exported.status == 0, "\(exported.standardError)")
        #expect(exported.standardOutput == Self.phrase + "\n")

        let wrong = try await SNaP2PExecutable.run(
            ["wallet", "export", "main"] + store, environment: ["SNAP2P_PASSWORD": "not the password"])
        #expect(wrong.status != 0)
        #expect(wrong.standardError.contains("wrong password"))
        #expect(wrong.standardOutput.isEmpty)

        let accounts = try await SNaP2PExecutable.run(["wallet", "accounts", "test", "--count", "2", "--json"] + store, environment: withPassword)
        #expect(accounts.status == 0, "\(accounts.standardError)")
        #expect(try accounts.lines.map(Self.jsonObject).map { $0["address"] as? String }
            == Self.accounts.map { $0["address_testnet"] as? String })
    }

    @Test func createFromAScriptPrintsThePhraseOnceAndStoresOwnerOnly() async throws {
        let scratch = try Scratch()
        let created = try await SNaP2PExecutable.run(
            ["wallet", "create", "--name", "ci", "--json", "--wallet-dir", scratch.wallets],
            environment: ["SNAP2P_PASSWORD": "a long enough password"])
        #expect(created.status == 0, "\(created.standardError)")
        let object = try Self.jsonObject(created.standardOutput)
        let phrase = try #require(object["phrase"] as? String)
        #expect(phrase.split(separator: " ").count == 24)

        // Piped, the plain-text form prints the phrase with nothing to clear a screen.
        let plain = try await SNaP2PExecutable.run(
            ["wallet", "create", "--name", "ci2", "--wallet-dir", scratch.wallets],
            environment: ["SNAP2P_PASSWORD": "a long enough password"])
        #expect(plain.status == 0, "\(plain.standardError)")
        #expect(plain.lines.count == 3 && plain.lines[1].split(separator: " ").count == 24, "\(plain.standardOutput)")
        #expect(!plain.standardOutput.contains("\u{1B}") && !plain.standardError.contains("\u{1B}"))

        // The phrase printed is the phrase stored: deriving it gives the stored address.
        let derived = try await SNaP2PExecutable.run(["wallet", "derive", "--json"], input: phrase)
        #expect(try Self.jsonObject(derived.standardOutput)["address"] as? String == object["address"] as? String)

        #expect(try scratch.mode(scratch.wallets) == 0o700)
        for name in try FileManager.default.contentsOfDirectory(atPath: scratch.wallets) {
            #expect(try scratch.mode(scratch.wallets + "/" + name) == 0o600, "\(name)")
            let text = try String(contentsOfFile: scratch.wallets + "/" + name, encoding: .utf8)
            #expect(!text.contains(phrase.split(separator: " ")[0] + " " + phrase.split(separator: " ")[1]))
        }
        let listed = try await SNaP2PExecutable.run(["wallet", "list"], environment: ["SNAP2P_HOME": scratch.root.path])
        #expect(listed.standardOutput.contains("* ci"))
    }

    @Test func referenceWalletDirectoryOpensThroughSNAP2PHOME() async throws {
        let scratch = try Scratch.withReferenceWallet()
        let home = ["SNAP2P_HOME": scratch.root.path]
        let listed = try await SNaP2PExecutable.run(["wallet", "list", "--json"], environment: home)
        let object = try Self.jsonObject(listed.standardOutput)
        #expect(object["name"] as? String == "vector")
        #expect(object["address"] as? String == Self.referenceAddress)
        #expect(object["created_at"] as? String == "2026-11-27T17:15:22.474Z")

        let exported = try await SNaP2PExecutable.run(
            ["wallet", "export", "vector"], environment: home.merging(["SNAP2P_PASSWORD": Self.password]) { $1 })
        #expect(exported.status == 0, "\(exported.standardError)")
        #expect(exported.standardOutput == Self.phrase + "\n")
    }

    @Test func renameAndDelete() async throws {
        let scratch = try Scratch.withReferenceWallet()
        let store = ["--wallet-dir", scratch.wallets]
        let renamed = try await SNaP2PExecutable.run(["wallet", "rename", "vector", "renamed", "--json"] + store)
        #expect(renamed.status == 0, "\(renamed.standardError)")
        #expect(try Self.jsonObject(renamed.standardOutput)["name"] as? String == "renamed")

        let unconfirmed = try await SNaP2PExecutable.run(["wallet", "delete", "renamed"] + store)
        #expect(unconfirmed.status != 0)
        #expect(unconfirmed.standardError.contains("--yes"))

        let deleted = try await SNaP2PExecutable.run(["wallet", "delete", "renamed", "--yes"] + store)
        #expect(deleted.status == 0, "\(deleted.standardError)")
        #expect(deleted.standardOutput.contains(Self.referenceAddress))
        let listed = try await SNaP2PExecutable.run(["wallet", "list"] + store)
        #expect(listed.standardOutput.contains("No wallets"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.wallets) == ["registry.json"])
    }

    @Test func failuresAreExplained() async throws {
        let scratch = try Scratch.withReferenceWallet()
        let store = ["--wallet-dir", scratch.wallets]
        let cases: [(arguments: [String], input: String, environment: [String: String], message: String)] = [
            (["wallet", "export", "vector"], "", [:], "set SNAP2P_PASSWORD or pass --password-file"),
            (["wallet", "restore", "--name", "short"], Self.phrase, ["SNAP2P_PASSWORD": "eleven char"], "at least 12 characters"),
            (["wallet", "restore", "--name", "typo"], Self.phrase.replacingOccurrences(of: " art", with: " arts"),
             ["SNAP2P_PASSWORD": Self.password], "word 24 is not in the BIP-39 English word list"),
            (["wallet", "restore", "--name", "vector"], Self.phrase, ["SNAP2P_PASSWORD": Self.password], "already exists"),
            (["wallet", "export", "nobody"], "", ["SNAP2P_PASSWORD": Self.password], "no wallet named \"nobody\""),
            (["wallet", "create"], "", ["SNAP2P_PASSWORD": Self.password], "--name is required"),
            (["wallet", "export", "vector", "--password-file", "/nonexistent/password"], "", [:], "cannot read the password file"),
        ]
        for failure in cases {
            let result = try await SNaP2PExecutable.run(failure.arguments + store, input: failure.input, environment: failure.environment)
            #expect(result.status != 0, "\(failure.arguments)")
            #expect(result.standardError.contains(failure.message), "\(failure.arguments): \(result.standardError)")
            #expect(!result.standardError.contains("abandon"))
        }

        let walletFile = scratch.wallets + "/" + (try FileManager.default.contentsOfDirectory(atPath: scratch.wallets).first { $0.hasSuffix(".wallet.json") }!)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: walletFile)
        let exposed = try await SNaP2PExecutable.run(["wallet", "export", "vector"] + store, environment: ["SNAP2P_PASSWORD": Self.password])
        #expect(exposed.status != 0)
        #expect(exposed.standardError.contains("chmod 600"))
    }

    @Test(arguments: ["accounts", "create", "delete", "derive", "export", "list", "rename", "restore"])
    func everyCommandHasHelpWithExamples(_ command: String) async throws {
        let result = try await SNaP2PExecutable.run(["wallet", command, "--help"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("Examples:"))
        #expect(result.standardOutput.contains("snap2p wallet \(command)"))
    }

    // MARK: Terminal

    @Test func interactiveCreateShowsThePhraseOnceAndHidesThePassword() async throws {
        let scratch = try Scratch()
        let secret = "terminal password 123"
        let (status, screen) = try await SNaP2PExecutable.runInTerminal(
            ["wallet", "create", "--wallet-dir", scratch.wallets],
            exchanges: [
                .init(prompt: "Wallet name: ") { _ in "desk" },
                .init(prompt: "New password (at least 12 characters): ") { _ in secret },
                .init(prompt: "Repeat the password: ") { _ in secret },
                .init(prompt: "Press Enter once they are written down") { _ in "" },
                .init(prompt: ": ") { Self.requestedWord(on: $0, occurrence: 0) },
                .init(prompt: ": ") { Self.requestedWord(on: $0, occurrence: 1) },
            ])
        #expect(status == 0, "\(screen)")
        #expect(screen.contains("They are shown only now"))
        // A terminal that calls itself dumb is not sent the clearing sequence; blank lines scroll
        // the phrase away instead.
        #expect(!screen.contains("\u{1B}[2J"))
        #expect(screen.contains("cleared from the screen. " + String(repeating: "\r\n", count: 50)))
        #expect(screen.contains("Created wallet \"desk\" on mainnet: SP"))
        #expect(!screen.contains(secret))
        let listed = try await SNaP2PExecutable.run(["wallet", "list", "--json", "--wallet-dir", scratch.wallets])
        #expect(try Self.jsonObject(listed.standardOutput)["name"] as? String == "desk")
    }

    /// The words leave the screen (and the scrollback) once the user has them, before two of them
    /// are asked for.
    @Test func interactiveCreateClearsThePhraseBeforeAskingForWords() async throws {
        let scratch = try Scratch()
        let (status, screen) = try await SNaP2PExecutable.runInTerminal(
            ["wallet", "create", "--name", "desk", "--wallet-dir", scratch.wallets],
            exchanges: [
                .init(prompt: "New password (at least 12 characters): ") { _ in "terminal password 123" },
                .init(prompt: "Repeat the password: ") { _ in "terminal password 123" },
                .init(prompt: "Press Enter once they are written down") { _ in "" },
                .init(prompt: "enter word #") { Self.requestedWord(on: $0, occurrence: 0) },
                .init(prompt: "enter word #") { Self.requestedWord(on: $0, occurrence: 1) },
            ],
            environment: ["TERM": "xterm-256color"])
        #expect(status == 0, "\(screen)")
        let grid = try #require(screen.range(of: "24. "), "\(screen)")
        let clear = try #require(screen.range(of: "\u{1B}[2J\u{1B}[3J\u{1B}[H"), "no clear sequence: \(screen)")
        let question = try #require(screen.range(of: "enter word #"))
        #expect(grid.upperBound < clear.lowerBound)
        #expect(clear.upperBound < question.lowerBound)
        #expect(screen.contains("Created wallet \"desk\""))
    }

    @Test func interactiveCreateStoresNothingWhenTheWordsAreWrong() async throws {
        let scratch = try Scratch()
        let (status, screen) = try await SNaP2PExecutable.runInTerminal(
            ["wallet", "create", "--name", "desk", "--wallet-dir", scratch.wallets],
            exchanges: [
                .init(prompt: "New password (at least 12 characters): ") { _ in "terminal password 123" },
                .init(prompt: "Repeat the password: ") { _ in "terminal password 123" },
                .init(prompt: "Press Enter once they are written down") { _ in "" },
                .init(prompt: "To confirm, enter word #") { _ in "notaword" },
            ])
        #expect(status != 0)
        #expect(screen.contains("nothing was stored"))
        #expect(!FileManager.default.fileExists(atPath: scratch.wallets + "/registry.json"))
    }

    @Test func interactiveRestoreHidesThePhrase() async throws {
        let scratch = try Scratch()
        let (status, screen) = try await SNaP2PExecutable.runInTerminal(
            ["wallet", "restore", "--name", "desk", "--wallet-dir", scratch.wallets],
            exchanges: [
                .init(prompt: "Seed phrase (input hidden): ") { _ in Self.phrase },
                .init(prompt: "New password (at least 12 characters): ") { _ in "terminal password 123" },
                .init(prompt: "Repeat the password: ") { _ in "terminal password 123" },
            ])
        #expect(status == 0, "\(screen)")
        #expect(screen.contains(Self.referenceAddress))
        #expect(!screen.contains("abandon"))
    }

    /// The word a "To confirm, enter word #N" prompt asks for, read off the numbered grid on screen.
    static func requestedWord(on screen: String, occurrence: Int) -> String {
        let requests = screen.matches(of: #/enter word \#(\d+): /#)
        guard occurrence < requests.count, let number = Int(requests[occurrence].output.1) else { return "" }
        let grid = screen.matches(of: /(\d+)\. ([a-z]+)/)
        return grid.first { Int($0.output.1) == number }.map { String($0.output.2) } ?? ""
    }
}
