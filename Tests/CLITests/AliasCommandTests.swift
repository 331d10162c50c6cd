import Foundation
import Testing
import TestSupport

/// `snap2p alias set|show`, the stored card presented by `listen --wallet`, and `inspect` on cards,
/// run as separate processes against a temporary wallet directory.
@Suite struct AliasCommandTests {
    typealias Scratch = WalletStoreCommandTests.Scratch
    static let environment = ["SNAP2P_PASSWORD": WalletStoreCommandTests.password]

    /// A scratch store holding the reference wallet as `main` (removed when the scratch is released).
    static func storeWithWallet() async throws -> (Scratch, [String]) {
        let scratch = try Scratch()
        let store = ["--wallet-dir", scratch.wallets]
        let restored = try await SNaP2PExecutable.run(
            ["wallet", "restore", "--name", "main"] + store, input: WalletStoreCommandTests.phrase + "\n", environment: environment)
        #expect(restored.status == 0, "\(restored.standardError)")
        return (scratch, store)
    }

    @Test func setStoresASignedCardThatShowAndInspectRead() async throws {
        let (scratch, store) = try await Self.storeWithWallet()
        let set = try await SNaP2PExecutable.run(
            ["alias", "set", "  Alice", "--display-name", "Alice 🌻", "--wallet", "main", "--json"] + store, environment: Self.environment)
        #expect(set.status == 0, "\(set.standardError)")
        let card = try WalletStoreCommandTests.jsonObject(try #require(set.lines.last))
        #expect(card["alias"] as? String == "alice")
        #expect(card["display_name"] as? String == "Alice 🌻")
        #expect(card["principal"] as? String == "stacks:" + WalletStoreCommandTests.referenceAddress)
        #expect(card["expired"] as? Bool == false)
        let issuedAt = try #require(card["issued_at"] as? Int)
        #expect(card["expires_at"] as? Int == issuedAt + 7 * 86_400)

        // Kept beside the wallet file, owner-only.
        let files = try FileManager.default.contentsOfDirectory(atPath: scratch.wallets).filter { $0.hasSuffix(".aliascard") }
        #expect(files.count == 1)
        #expect(try scratch.mode(scratch.wallets + "/" + files[0]) == 0o600)

        // `show` needs no password and prints the same card.
        let shown = try await SNaP2PExecutable.run(["alias", "show", "--json"] + store)
        #expect(shown.status == 0, "\(shown.standardError)")
        let shownCard = try WalletStoreCommandTests.jsonObject(try #require(shown.lines.first))
        #expect(shownCard["card"] as? String == card["card"] as? String)
        #expect(shownCard["wallet"] as? String == "main")

        // `inspect` decodes and verifies it; one flipped bit makes it invalid.
        let hex = try #require(card["card"] as? String)
        let inspected = try await SNaP2PExecutable.run(["inspect", "--json", hex])
        #expect(inspected.status == 0, "\(inspected.standardOutput)")
        let verdict = try WalletStoreCommandTests.jsonObject(inspected.standardOutput)
        #expect(verdict["kind"] as? String == "alias_card")
        #expect(verdict["valid"] as? Bool == true)
        #expect(verdict["alias"] as? String == "alice")
        var tampered = Array(hex)
        let index = tampered.index(tampered.startIndex, offsetBy: 20)
        tampered[index] = tampered[index] == "0" ? "1" : "0"
        let refused = try await SNaP2PExecutable.run(["inspect", String(tampered)])
        #expect(refused.status == 1)
        #expect(refused.standardOutput.contains("INVALID"), "\(refused.standardOutput)")
    }

    @Test func showingAWalletWithoutACardFailsWithAHint() async throws {
        let (scratch, store) = try await Self.storeWithWallet()
        defer { withExtendedLifetime(scratch) {} }
        let shown = try await SNaP2PExecutable.run(["alias", "show", "--wallet", "main"] + store)
        #expect(shown.status == 1)
        #expect(shown.standardError.contains("wallet \"main\" has no alias card"), "\(shown.standardError)")
        #expect(shown.standardError.contains("alias set NAME --wallet main"))
    }

    @Test(arguments: [
        (["alias", "set", "two words", "--wallet", "main"], "invalid alias"),
        (["alias", "set", "ok", "--display-name", "bell\u{7}", "--wallet", "main"], "invalid display name"),
        (["alias", "set", "ok"], "--wallet NAME is required"),
        (["dial", "127.0.0.1:9", "--alias", "al/ice"], "invalid alias"),
        (["dial", "127.0.0.1:9", "--display-name", "Bob"], "--display-name needs --alias"),
    ])
    func badAliasesAreRefusedBeforeAnythingHappens(arguments: [String], message: String) async throws {
        let result = try await SNaP2PExecutable.run(arguments, environment: Self.environment)
        #expect(result.status == 64, "\(result.standardError)")
        #expect(result.standardError.contains(message), "\(result.standardError)")
    }

    @Test func aListenerWithAStoredCardPresentsItsAlias() async throws {
        let (scratch, store) = try await Self.storeWithWallet()
        defer { withExtendedLifetime(scratch) {} }
        let set = try await SNaP2PExecutable.run(
            ["alias", "set", "alice", "--display-name", "Alice", "--wallet", "main"] + store, environment: Self.environment)
        #expect(set.status == 0, "\(set.standardError)")
        let listener = try RunningProcess(["listen", "0", "--host", "127.0.0.1", "--wallet", "main", "--json"] + store, environment: Self.environment)
        defer { listener.stop() }
        let ready = try await listener.nextEvent()
        let port = try #require(ready["port"] as? Int)

        let dialed = try await SNaP2PExecutable.run(["dial", "127.0.0.1:\(port)", "--alias", "Bob", "--display-name", "Bob 🔧", "--json"])
        #expect(dialed.status == 0, "\(dialed.standardError)")
        let connected = try WalletStoreCommandTests.jsonObject(try #require(dialed.lines.first))
        #expect(connected["alias"] as? String == "alice")
        #expect(connected["display_name"] as? String == "Alice")
        #expect(connected["principal"] as? String == "stacks:" + WalletStoreCommandTests.referenceAddress)

        let seen = try await listener.nextEvent()
        #expect(seen["event"] as? String == "connected")
        #expect(seen["alias"] as? String == "bob")
        #expect(seen["display_name"] as? String == "Bob 🔧")

        // A dialer without an alias: no alias fields at all.
        let plain = try await SNaP2PExecutable.run(["dial", "127.0.0.1:\(port)", "--json"])
        #expect(plain.status == 0)
        _ = try await listener.nextEvent()  // closed
        let anonymous = try await listener.nextEvent()
        #expect(anonymous["event"] as? String == "connected")
        #expect(anonymous["alias"] == nil && anonymous["display_name"] == nil)
    }
}
