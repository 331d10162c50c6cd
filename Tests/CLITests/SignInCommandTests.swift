import Foundation
import Testing

/// `snap2p signin`, the interactive sign-in: refused without a terminal, driven on a pseudo-terminal.
@Suite struct SignInCommandTests {
    @Test func refusesStandardInputThatIsNotATerminal() async throws {
        let result = try await SNaP2PExecutable.run(["signin"], input: "1\n")
        #expect(result.status == 6)
        #expect(result.standardError.contains("signin is interactive and needs a terminal"), "\(result.standardError)")
        #expect(result.standardError.contains("SNAP2P_PASSWORD"))
        #expect(result.standardOutput.isEmpty)
    }

    /// TERM=dumb: the numbered menu. Unlock a restored wallet after one wrong password.
    @Test func unlocksAStoredWalletFromTheMenu() async throws {
        let (directory, principal) = try await ChatWithWalletTests.walletDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (status, screen) = try await SNaP2PExecutable.runInTerminal(
            ["signin", "--wallet-dir", directory],
            exchanges: [
                .init(prompt: "Choose 1-5") { _ in "1" },
                .init(prompt: "Password for \"alice\": ") { _ in "not it" },
                .init(prompt: "Wrong password. 2 more tries.") { _ in ChatWithWalletTests.password },
            ])
        #expect(status == 0, "\(screen)")
        #expect(screen.contains("1) Unlock alice"))
        #expect(screen.contains("5) Quit"))
        #expect(screen.contains("Signed in as \(principal)"), "\(screen)")
        #expect(screen.contains("chat --listen 9000 --wallet alice --wallet-dir \(directory)"))
        // The passwords were not echoed.
        #expect(!screen.contains(ChatWithWalletTests.password))
        #expect(!screen.contains("not it"))
    }

    @Test func restoresAndThenDeletesAnIdentity() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("snap2p-signin-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let restored = try await SNaP2PExecutable.runInTerminal(
            ["signin", "--wallet-dir", directory, "--testnet"],
            exchanges: [
                .init(prompt: "No identities yet") { _ in "2" },
                .init(prompt: "Seed phrase (input hidden): ") { _ in ChatWithWalletTests.phrase },
                .init(prompt: "Wallet name: ") { _ in "restored" },
                .init(prompt: "New password") { _ in ChatWithWalletTests.password },
                .init(prompt: "Repeat the password: ") { _ in ChatWithWalletTests.password },
            ])
        #expect(restored.status == 0, "\(restored.screen)")
        #expect(restored.screen.contains("Signed in as stacks:ST"), "\(restored.screen)")
        #expect(!restored.screen.contains("abandon"))

        let deleted = try await SNaP2PExecutable.runInTerminal(
            ["signin", "--wallet-dir", directory],
            exchanges: [
                .init(prompt: "Choose 1-5") { _ in "4" },
                .init(prompt: "Delete which identity?") { _ in "1" },
                .init(prompt: "Type \"restored\" to delete it: ") { _ in "restored" },
                .init(prompt: "No identities yet") { _ in "3" },
            ])
        #expect(deleted.status == 0, "\(deleted.screen)")
        #expect(deleted.screen.contains("Deleted \"restored\""))
        let list = try await SNaP2PExecutable.run(["wallet", "list", "--wallet-dir", directory, "--json"])
        #expect(list.standardOutput.isEmpty)
    }
}

/// `listen` and `dial` with `--wallet`: the option group `chat` uses.
@Suite struct ListenDialWithWalletTests {
    @Test func dialProvesTheStoredWalletsIdentity() async throws {
        let (directory, principal) = try await ChatWithWalletTests.walletDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let listener = try RunningProcess(["listen", "0", "--host", "127.0.0.1", "--testnet", "--json"])
        let ready = try await listener.nextEvent()
        let port = try #require(ready["port"] as? Int)
        let dial = try await SNaP2PExecutable.run(
            ["dial", "127.0.0.1:\(port)", "--wallet", "alice", "--wallet-dir", directory, "--json"],
            environment: ["SNAP2P_PASSWORD": ChatWithWalletTests.password])
        #expect(dial.status == 0, "\(dial.standardError)")
        let connected = try await listener.nextEvent()
        #expect(connected["event"] as? String == "connected")
        #expect(connected["principal"] as? String == principal)
        listener.stop()

        let wrong = try await SNaP2PExecutable.run(
            ["listen", "0", "--wallet", "alice", "--wallet-dir", directory, "--json"],
            environment: ["SNAP2P_PASSWORD": "wrong password!"])
        #expect(wrong.status == 4)
        let event = try #require(try JSONSerialization.jsonObject(with: Data(wrong.standardOutput.utf8)) as? [String: Any])
        #expect(event["event"] as? String == "error")
        #expect((event["error"] as? String)?.contains("wrong password") == true)
    }
}
