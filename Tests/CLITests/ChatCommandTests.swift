import Foundation
import Testing

/// `snap2p chat` between two processes on 127.0.0.1, over pipes (the line mode scripts get).
@Suite struct ChatCommandTests {
    /// A `chat --listen 0 --json` process and its ready event.
    struct Listener {
        let process: RunningProcess
        let port: Int
        let principal: String
        let token: String?

        init(_ arguments: [String] = ["--testnet"], environment: [String: String] = [:]) async throws {
            process = try RunningProcess(["chat", "--listen", "0", "--host", "127.0.0.1", "--json"] + arguments, environment: environment)
            let ready = try await process.nextEvent()
            #expect(ready["event"] as? String == "ready", "\(ready)")
            port = try #require(ready["port"] as? Int)
            principal = try #require(ready["principal"] as? String)
            token = ready["token"] as? String
        }
    }

    @Test func linesArriveBothWaysAndTheDialerLeavingIsSeen() async throws {
        let listener = try await Listener()
        let dialer = try RunningProcess(["chat", "127.0.0.1:\(listener.port)", "--testnet"])

        let connected = try await listener.process.nextEvent()
        #expect(connected["event"] as? String == "connected")
        let dialerPrincipal = try #require(connected["principal"] as? String)
        #expect(dialerPrincipal.hasPrefix("stacks:ST"))
        try await dialer.waitForStandardError(containing: "Connected to \(listener.principal)")
        #expect(dialer.standardError.contains("as \(dialerPrincipal)"))

        dialer.write("hello from the dialer\n")
        let message = try await listener.process.nextEvent()
        #expect(message["event"] as? String == "message")
        #expect(message["text"] as? String == "hello from the dialer")
        #expect(message["principal"] as? String == dialerPrincipal)

        listener.process.write("héllo from the listener ✓\n")
        #expect(try await dialer.nextLine() == "héllo from the listener ✓")

        // End of the dialer's input: it leaves, the listener says so, and both end cleanly.
        dialer.closeInput()
        let left = try await listener.process.nextEvent()
        #expect(left["event"] as? String == "left")
        #expect(left["principal"] as? String == dialerPrincipal)
        let closed = try await listener.process.nextEvent()
        #expect(closed["event"] as? String == "closed")
        #expect(closed["code"] == nil)
        #expect(try await listener.process.exitStatus() == 0)
        #expect(try await dialer.exitStatus() == 0)
        #expect(dialer.standardError.contains("You left the chat."))
        // The received text went to standard output alone; notices to standard error.
        #expect(dialer.lines == ["héllo from the listener ✓"])
    }

    @Test func aliasesAreShownBesideTheShortPrincipal() async throws {
        let listener = try await Listener(["--testnet", "--alias", "Alice", "--display-name", "Alice 🌻"])
        let dialer = try RunningProcess(["chat", "127.0.0.1:\(listener.port)", "--testnet", "--alias", "bob"])
        let connected = try await listener.process.nextEvent()
        #expect(connected["alias"] as? String == "bob")
        #expect(connected["display_name"] as? String == "")
        // "SP1Y1C…3P50": the first six and last four characters of the address.
        let address = listener.principal.dropFirst("stacks:".count)
        let short = "\(address.prefix(6))…\(address.suffix(4))"
        try await dialer.waitForStandardError(containing: "Connected to Alice 🌻 (@alice · \(short)), \(listener.principal)")
        listener.process.closeInput()
        try await dialer.waitForStandardError(containing: "Alice 🌻 (@alice · \(short)) left the chat.")
        #expect(try await dialer.exitStatus() == 0)
    }

    @Test func theListenerLeavingEndsTheDialer() async throws {
        let listener = try await Listener()
        let dialer = try RunningProcess(["chat", "127.0.0.1:\(listener.port)", "--testnet", "--json"])
        #expect(try await dialer.nextEvent()["event"] as? String == "connected")
        #expect(try await listener.process.nextEvent()["event"] as? String == "connected")

        listener.process.write("one\ntwo\n/quit\nnever sent\n")
        #expect(try await dialer.nextEvent()["text"] as? String == "one")
        #expect(try await dialer.nextEvent()["text"] as? String == "two")
        let left = try await dialer.nextEvent()
        #expect(left["event"] as? String == "left")
        #expect(left["principal"] as? String == listener.principal)
        #expect(try await dialer.nextEvent()["event"] as? String == "closed")
        #expect(try await dialer.exitStatus() == 0)
        #expect(try await listener.process.exitStatus() == 0)
    }

    @Test func ctrlCLeavesCleanly() async throws {
        let listener = try await Listener()
        let dialer = try RunningProcess(["chat", "127.0.0.1:\(listener.port)", "--testnet"])
        #expect(try await listener.process.nextEvent()["event"] as? String == "connected")
        try await dialer.waitForStandardError(containing: "Connected to")
        // Give the chat a moment to take over SIGINT from the default (which would just kill it).
        try await Task.sleep(for: .milliseconds(300))
        dialer.interrupt()
        #expect(try await listener.process.nextEvent()["event"] as? String == "left")
        #expect(try await dialer.exitStatus() == 0)
        #expect(try await listener.process.exitStatus() == 0)
    }

    @Test func aListenerTakesOnePeerOnly() async throws {
        let listener = try await Listener()
        let first = try RunningProcess(["chat", "127.0.0.1:\(listener.port)", "--testnet"])
        #expect(try await listener.process.nextEvent()["event"] as? String == "connected")
        let second = try await SNaP2PExecutable.run(["chat", "127.0.0.1:\(listener.port)", "--testnet"])
        #expect(second.status == 2, "\(second.standardError)")
        first.closeInput()
        #expect(try await first.exitStatus() == 0)
        #expect(try await listener.process.exitStatus() == 0)
    }

    @Test func nothingListeningIsExplained() async throws {
        let refusing = try RefusingPort()
        let port = refusing.port
        let result = try await SNaP2PExecutable.run(["chat", "127.0.0.1:\(port)"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("error: nothing accepted the connection on 127.0.0.1:\(port)"), "\(result.standardError)")
        #expect(result.standardError.contains("hint: is a listener running on 127.0.0.1:\(port)?"))
    }

    @Test func otherNetworkIsExplained() async throws {
        let listener = try await Listener(["--testnet"])
        let result = try await SNaP2PExecutable.run(["chat", "127.0.0.1:\(listener.port)"])
        #expect(result.status == 3)
        #expect(result.standardError.contains("different Stacks networks"), "\(result.standardError)")
        #expect(result.standardError.contains("--testnet on both sides"))
        listener.process.stop()
    }

    @Test func stealthListenerNeedsItsToken() async throws {
        let listener = try await Listener(["--testnet", "--stealth"])
        let token = try #require(listener.token)
        #expect(token.count == 64)

        let refused = try await SNaP2PExecutable.run(["chat", "127.0.0.1:\(listener.port)", "--testnet", "--json"])
        #expect(refused.status == 3, "\(refused.standardError)")
        #expect(refused.standardError.contains("--token"))
        let event = try #require(try JSONSerialization.jsonObject(with: Data((refused.lines.last ?? "").utf8)) as? [String: Any])
        #expect(event["event"] as? String == "error")
        #expect(event["hint"] is String)

        let wrong = try await SNaP2PExecutable.run([
            "chat", "127.0.0.1:\(listener.port)", "--testnet", "--token", String(repeating: "ab", count: 32),
        ])
        #expect(wrong.status == 3)
        #expect(wrong.standardError.contains("INVALID_TOKEN"), "\(wrong.standardError)")

        let admitted = try await SNaP2PExecutable.run(
            ["chat", "127.0.0.1:\(listener.port)", "--testnet", "--token", token], input: "let me in\n")
        #expect(admitted.status == 0, "\(admitted.standardError)")
        #expect(try await listener.process.nextEvent()["event"] as? String == "connected")
        #expect(try await listener.process.nextEvent()["text"] as? String == "let me in")
        #expect(try await listener.process.exitStatus() == 0)
    }

    @Test(arguments: [
        (["chat"], "give either HOST:PORT"),
        (["chat", "127.0.0.1:9000", "--listen", "9000"], "not both"),
        (["chat", "127.0.0.1"], "is not HOST:PORT"),
        (["chat", "127.0.0.1:9000", "--stealth"], "--stealth is for --listen"),
        (["chat", "--listen", "70000"], "from 0 to 65535"),
        (["chat", "127.0.0.1:9000", "--token", "xyz"], "--token must be"),
    ])
    func invalidArgumentsAreUsageErrors(arguments: [String], message: String) async throws {
        let result = try await SNaP2PExecutable.run(arguments)
        #expect(result.status == 64)
        #expect(result.standardError.contains(message), "\(result.standardError)")
    }
}

/// `chat --wallet`: a stored wallet's identity, unlocked with SNAP2P_PASSWORD.
@Suite struct ChatWithWalletTests {
    static let phrase = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
        + "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon art"
    static let password = "correct horse battery staple"

    /// A wallet directory holding the testnet wallet "alice", and alice's principal.
    static func walletDirectory() async throws -> (directory: String, principal: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("snap2p-chat-\(UUID().uuidString)").path
        let restored = try await SNaP2PExecutable.run(
            ["wallet", "restore", "--name", "alice", "--testnet", "--wallet-dir", directory, "--json"],
            input: phrase, environment: ["SNAP2P_PASSWORD": password])
        #expect(restored.status == 0, "\(restored.standardError)")
        let wallet = try #require(try JSONSerialization.jsonObject(with: Data(restored.standardOutput.utf8)) as? [String: Any])
        return (directory, "stacks:" + (try #require(wallet["address"] as? String)))
    }

    @Test func chatProvesTheStoredWalletsIdentity() async throws {
        let (directory, principal) = try await Self.walletDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let listener = try await ChatCommandTests.Listener(
            ["--wallet", "alice", "--wallet-dir", directory], environment: ["SNAP2P_PASSWORD": Self.password])
        #expect(listener.principal == principal)

        // The wallet is a testnet one, so the dialer needs --testnet to be admitted.
        let dialer = try RunningProcess(["chat", "127.0.0.1:\(listener.port)", "--testnet"])
        try await dialer.waitForStandardError(containing: "Connected to \(principal)")
        dialer.write("hi alice\n")
        #expect(try await listener.process.nextEvent()["event"] as? String == "connected")
        #expect(try await listener.process.nextEvent()["text"] as? String == "hi alice")
        dialer.closeInput()
        #expect(try await dialer.exitStatus() == 0)
        #expect(try await listener.process.exitStatus() == 0)
    }

    @Test func walletProblemsExitWithStatus4() async throws {
        let (directory, _) = try await Self.walletDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let refusing = try RefusingPort()
        let nobody = "127.0.0.1:\(refusing.port)"

        let wrong = try await SNaP2PExecutable.run(
            ["chat", nobody, "--wallet", "alice", "--wallet-dir", directory],
            environment: ["SNAP2P_PASSWORD": "not the password"])
        #expect(wrong.status == 4)
        #expect(wrong.standardError.contains("wrong password for wallet \"alice\""), "\(wrong.standardError)")

        let missing = try await SNaP2PExecutable.run(
            ["chat", nobody, "--wallet", "bob", "--wallet-dir", directory],
            environment: ["SNAP2P_PASSWORD": Self.password])
        #expect(missing.status == 4)
        #expect(missing.standardError.contains("no wallet named \"bob\""))
        #expect(missing.standardError.contains("wallet list"))

        let noPassword = try await SNaP2PExecutable.run(["chat", nobody, "--wallet", "alice", "--wallet-dir", directory])
        #expect(noPassword.status == 4)
        #expect(noPassword.standardError.contains("SNAP2P_PASSWORD"), "\(noPassword.standardError)")

        // Unlocked fine (a testnet wallet with --testnet); then nothing listens.
        let unlocked = try await SNaP2PExecutable.run(
            ["chat", nobody, "--wallet", "alice", "--wallet-dir", directory, "--testnet"],
            environment: ["SNAP2P_PASSWORD": Self.password])
        #expect(unlocked.status == 2, "\(unlocked.standardError)")

        let restored = try await SNaP2PExecutable.run(
            ["wallet", "restore", "--name", "main", "--wallet-dir", directory],
            input: Self.phrase, environment: ["SNAP2P_PASSWORD": Self.password])
        #expect(restored.status == 0, "\(restored.standardError)")
        let mainnet = try await SNaP2PExecutable.run(
            ["chat", nobody, "--wallet", "main", "--wallet-dir", directory, "--testnet"],
            environment: ["SNAP2P_PASSWORD": Self.password])
        #expect(mainnet.status == 4)
        #expect(mainnet.standardError.contains("is a mainnet wallet"), "\(mainnet.standardError)")
    }
}

/// `chat` at a terminal: the raw-mode prompt, on a pseudo-terminal.
@Suite struct InteractiveChatTests {
    @Test func incomingLinesDoNotMangleTheLineBeingTyped() async throws {
        let listener = try await ChatCommandTests.Listener()
        let (status, screen) = try await SNaP2PExecutable.runInTerminal(
            ["chat", "127.0.0.1:\(listener.port)", "--testnet"],
            exchanges: [
                .init(prompt: "you › ", pressesEnter: false) { _ in "half typ" },
                .init(prompt: "half typ", pressesEnter: false) { _ in
                    listener.process.write("incoming line\n")
                    return ""
                },
                // Backspace, then the rest: the line was kept while the message was printed.
                .init(prompt: "incoming line", pressesEnter: false) { _ in "x\u{7F}ed!" },
                .init(prompt: "half typed!") { _ in "" },
                // Ctrl-U erases a line never sent; /quit leaves.
                .init(prompt: "you › half typed!") { _ in "discarded\u{15}/quit" },
            ],
            environment: ["TERM": "xterm", "NO_COLOR": "1"])
        #expect(status == 0, "\(screen)")
        #expect(try await listener.process.nextEvent()["event"] as? String == "connected")
        let message = try await listener.process.nextEvent()
        #expect(message["text"] as? String == "half typed!", "\(screen)")
        #expect(try await listener.process.nextEvent()["event"] as? String == "left")
        #expect(try await listener.process.exitStatus() == 0)
        // The message came out on its own line, and the prompt with the half-typed text came back under it.
        let afterMessage = try #require(screen.range(of: "› incoming line"))
        #expect(screen[afterMessage.upperBound...].contains("you › half typ"))
        #expect(screen.contains("You left the chat."))
        #expect(!screen.contains("\u{1B}[3"), "NO_COLOR: no colours")
    }
}
