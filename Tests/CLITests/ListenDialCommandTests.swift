import Foundation
import Testing
import TestSupport

/// `snap2p listen` and `snap2p dial`, both run as separate processes on 127.0.0.1.
@Suite struct ListenDialCommandTests {
    @Test func dialEchoesTheDefaultMessage() async throws {
        let listener = try await RunningListener.start(["--testnet"])
        defer { listener.stop() }
        let result = try await SNaP2PExecutable.run(["dial", "127.0.0.1:\(listener.port)", "--testnet", "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        let events = try result.lines.map(jsonObject)
        #expect(events.map { $0["event"] as? String } == ["connected", "echo", "done"])
        #expect(events[0]["principal"] as? String == listener.principal)
        #expect(events[0]["handshake_ms"] is Double)
        #expect(events[2]["bytes"] as? Int == "Hello from SNaP2P!".utf8.count)
        #expect(events[2]["mb_per_s"] is Double)

        // The listener reports the dialer coming and going.
        let connected = try await listener.nextEvent()
        #expect(connected["event"] as? String == "connected")
        let dialer = try #require(connected["principal"] as? String)
        #expect(dialer.hasPrefix("stacks:ST"))
        let closed = try await listener.nextEvent()
        #expect(closed["event"] as? String == "closed")
        #expect(closed["principal"] as? String == dialer)
    }

    @Test func dialSendsATextAndBytesOnSeveralStreams() async throws {
        let listener = try await RunningListener.start(["--testnet"])
        defer { listener.stop() }
        let text = try await SNaP2PExecutable.run(["dial", "127.0.0.1:\(listener.port)", "--testnet", "-m", "héllo wörld"])
        #expect(text.status == 0, "\(text.standardError)")
        #expect(text.standardOutput.contains("Echo on stream 0: héllo wörld"))

        let bulk = try await SNaP2PExecutable.run([
            "dial", "127.0.0.1:\(listener.port)", "--testnet", "--bytes", "3000000", "--streams", "3", "--json",
        ])
        #expect(bulk.status == 0, "\(bulk.standardError)")
        let events = try bulk.lines.map(jsonObject)
        let echoed = events.filter { $0["event"] as? String == "echo" }
        #expect(Set(echoed.compactMap { $0["stream"] as? Int }) == [0, 2, 4])
        #expect(echoed.allSatisfy { $0["bytes"] as? Int == 3_000_000 })
        #expect(events.last?["event"] as? String == "done")
        #expect(events.last?["bytes"] as? Int == 9_000_000)
    }

    @Test func repeatedHandshakesReportARate() async throws {
        let listener = try await RunningListener.start(["--testnet"])
        defer { listener.stop() }
        let result = try await SNaP2PExecutable.run([
            "dial", "127.0.0.1:\(listener.port)", "--testnet", "--handshake-only", "--repeat", "5", "--json",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let events = try result.lines.map(jsonObject)
        #expect(events.filter { $0["event"] as? String == "connected" }.count == 5)
        let done = try #require(events.last)
        #expect(done["event"] as? String == "done")
        #expect(done["handshakes"] as? Int == 5)
        #expect((done["handshakes_per_second"] as? Double ?? 0) > 0)
        #expect(done["seconds"] is Double)
        #expect(done["parallel"] == nil)
    }

    @Test func parallelHandshakesAreAllCompletedAndCounted() async throws {
        let listener = try await RunningListener.start(["--testnet"])
        defer { listener.stop() }
        let result = try await SNaP2PExecutable.run([
            "dial", "127.0.0.1:\(listener.port)", "--testnet", "--handshake-only", "--repeat", "13", "--parallel", "4", "--json",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let events = try result.lines.map(jsonObject)
        let connected = events.filter { $0["event"] as? String == "connected" }
        #expect(connected.count == 13)
        #expect(Set(connected.compactMap { $0["local"] as? String }).count == 13)
        let done = try #require(events.last)
        #expect(done["event"] as? String == "done")
        #expect(done["handshakes"] as? Int == 13)
        #expect(done["parallel"] as? Int == 4)

        let refused = try await SNaP2PExecutable.run(["dial", "127.0.0.1:\(listener.port)", "--testnet", "--handshake-only", "--parallel", "4"])
        #expect(refused.status == 64)
        #expect(refused.standardError.contains("--parallel needs --repeat"))
    }

    @Test func stealthListenerNeedsItsToken() async throws {
        let listener = try await RunningListener.start(["--testnet", "--stealth"])
        defer { listener.stop() }
        let token = try #require(listener.ready["token"] as? String)
        #expect(token.count == 64)

        let admitted = try await SNaP2PExecutable.run(["dial", "127.0.0.1:\(listener.port)", "--testnet", "--token", token])
        #expect(admitted.status == 0, "\(admitted.standardError)")

        let wrong = String(repeating: "ab", count: 32)
        let refused = try await SNaP2PExecutable.run(["dial", "127.0.0.1:\(listener.port)", "--testnet", "--token", wrong, "--json"])
        #expect(refused.status != 0)
        #expect(try refused.lines.map(jsonObject).last?["code"] as? String == "INVALID_TOKEN")
        #expect(refused.standardError.contains("INVALID_TOKEN"))
    }

    @Test func stealthListenerAcceptsAGivenToken() async throws {
        let token = String(repeating: "5a", count: 16)
        let listener = try await RunningListener.start(["--testnet", "--stealth", "--token", token])
        defer { listener.stop() }
        #expect(listener.ready["token"] == nil)
        let admitted = try await SNaP2PExecutable.run(["dial", "127.0.0.1:\(listener.port)", "--testnet", "--token", token])
        #expect(admitted.status == 0, "\(admitted.standardError)")
    }

    @Test func allowlistRefusesOthersWithNotAllowed() async throws {
        let someoneElse = "stacks:ST2D2TNE4QPSMKSYS4FNKW1Q1C56CMQHN08Q0VHSJ"
        let listener = try await RunningListener.start(["--testnet", "--allow", someoneElse])
        defer { listener.stop() }
        let result = try await SNaP2PExecutable.run(["dial", "127.0.0.1:\(listener.port)", "--testnet"])
        #expect(result.status != 0)
        #expect(result.standardError.contains("NOT_ALLOWED"), "\(result.standardError)")
    }

    @Test func wrongNetworkIsNamed() async throws {
        let listener = try await RunningListener.start(["--testnet"])
        defer { listener.stop() }
        let result = try await SNaP2PExecutable.run(["dial", "127.0.0.1:\(listener.port)", "--json"])
        #expect(result.status != 0)
        #expect(try result.lines.map(jsonObject).last?["code"] as? String == "ATTESTATION_INVALID")
    }

    @Test func textOutputNamesThePrincipals() async throws {
        let listener = try await RunningListener.start(["--testnet"], json: false)
        defer { listener.stop() }
        #expect(listener.readyLine.hasPrefix("Listening on 127.0.0.1:\(listener.port) as stacks:ST"))
        let result = try await SNaP2PExecutable.run(["dial", "127.0.0.1:\(listener.port)", "--testnet"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.lines.first?.hasPrefix("Connected: stacks:ST") == true)
        #expect(result.lines.first?.hasSuffix(", standard Noise)") == true, "\(result.lines)")
        #expect(result.lines.contains("Echo on stream 0: Hello from SNaP2P!"))
    }

    @Test func dialWithAnotherExpectedPrincipalNamesTheMismatch() async throws {
        let listener = try await RunningListener.start(["--testnet"])
        defer { listener.stop() }
        let actual = try #require(listener.principal)
        let expected = "stacks:ST2D2TNE4QPSMKSYS4FNKW1Q1C56CMQHN08Q0VHSJ"
        let address = "127.0.0.1:\(listener.port)"
        let refused = try await SNaP2PExecutable.run(["dial", address, "--testnet", "--expect", expected, "--json"])
        #expect(refused.status == 3)
        let error = try #require(try refused.lines.map(jsonObject).last)
        #expect(error["code"] as? String == "NOT_ALLOWED")
        #expect(error["error"] as? String == "principal mismatch: expected \(expected), but \(address) proved to be \(actual)")
        #expect(!refused.standardError.contains("clock"), "\(refused.standardError)")

        let admitted = try await SNaP2PExecutable.run(["dial", address, "--testnet", "--expect", actual])
        #expect(admitted.status == 0, "\(admitted.standardError)")
        let invalid = try await SNaP2PExecutable.run(["dial", address, "--testnet", "--expect", "ST2D2TNE4QPSMKSYS4FNKW1Q1C56CMQHN08Q0VHSJ"])
        #expect(invalid.status == 64)
        #expect(invalid.standardError.contains("--expect"))
    }

    // MARK: Noise key schedule

    @Test func bothSidesShowTheNegotiatedNoiseSchedule() async throws {
        let listener = try await RunningListener.start(["--testnet"])
        defer { listener.stop() }
        for (option, expected) in [("prefer-standard", "standard"), ("require-standard", "standard"), ("reference-only", "reference")] {
            let result = try await SNaP2PExecutable.run(["dial", "127.0.0.1:\(listener.port)", "--testnet", "--noise", option, "--json"])
            #expect(result.status == 0, "\(option): \(result.standardError)")
            #expect(try result.lines.map(jsonObject).first?["noise"] as? String == expected, "\(option)")
            let connected = try await listener.nextEvent()
            #expect(connected["event"] as? String == "connected")
            #expect(connected["noise"] as? String == expected, "\(option)")
            #expect(try await listener.nextEvent()["event"] as? String == "closed")
        }
    }

    @Test func requiringStandardNoiseAgainstAReferenceOnlyPeerFailsOnBothSides() async throws {
        let listener = try await RunningListener.start(["--testnet", "--noise", "reference-only"])
        defer { listener.stop() }
        let result = try await SNaP2PExecutable.run([
            "dial", "127.0.0.1:\(listener.port)", "--testnet", "--noise", "require-standard", "--json",
        ])
        #expect(result.status == 3, "\(result.standardError)")
        let events = try result.lines.map(jsonObject)
        #expect(events.map { $0["event"] as? String } == ["error"])
        #expect(events.last?["code"] as? String == "VERSION_UNSUPPORTED")
        #expect(result.standardError.contains("disagree on the Noise key schedule"), "\(result.standardError)")

        let failed = try await listener.nextEvent()
        #expect(failed["event"] as? String == "handshake_failed")
        #expect(failed["code"] as? String == "VERSION_UNSUPPORTED")
        #expect((failed["remote"] as? String)?.hasPrefix("127.0.0.1:") == true)
    }

    @Test func aRelayThatStripsTheNoiseOfferFailsTheHandshakeOnBothSides() async throws {
        let listener = try await RunningListener.start(["--testnet"])
        defer { listener.stop() }
        // Noise message 1 is the dialer's first frame: its ephemeral key, then the offer.
        let proxy = try await TamperingProxy.start(
            targetPort: listener.port, mode: .rewriteDialerFrame(number: 1, rewrite: { Array($0.prefix(32)) }))
        let result = try await SNaP2PExecutable.run(["dial", "127.0.0.1:\(proxy.port)", "--testnet", "--json"])
        await proxy.close()
        #expect(result.status == 3, "\(result.standardError)")
        let events = try result.lines.map(jsonObject)
        #expect(events.map { $0["event"] as? String } == ["error"])
        #expect(events.last?["code"] as? String == "HANDSHAKE_FAILED")

        let failed = try await listener.nextEvent()
        #expect(failed["event"] as? String == "handshake_failed")
        #expect(failed["code"] as? String == "HANDSHAKE_FAILED")
        #expect((failed["error"] as? String)?.contains("Noise message 2 failed to authenticate") == true, "\(failed)")
    }

    @Test func anUnknownNoisePolicyIsRefused() async throws {
        let result = try await SNaP2PExecutable.run(["dial", "127.0.0.1:9", "--noise", "fancy"])
        #expect(result.status != 0)
        #expect(result.standardError.contains("--noise"), "\(result.standardError)")
    }

    @Test func unreachablePeerFails() async throws {
        let refusing = try RefusingPort()
        let port = refusing.port
        let result = try await SNaP2PExecutable.run(["dial", "127.0.0.1:\(port)", "--testnet"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("error: nothing accepted the connection on 127.0.0.1:\(port)"), "\(result.standardError)")
        #expect(result.standardError.contains("hint: is a listener running on 127.0.0.1:\(port)? Start one with:"))
    }
}

func jsonObject(_ line: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)")
}

/// `snap2p listen 0 --host 127.0.0.1 ...` running in the background, with its ready line read.
struct RunningListener {
    let process: RunningProcess
    let readyLine: String
    let port: Int

    /// The ready event (JSON mode).
    var ready: [String: Any] { (try? jsonObject(readyLine)) ?? [:] }
    var principal: String? { ready["principal"] as? String }

    static func start(_ arguments: [String], json: Bool = true) async throws -> RunningListener {
        let process = try RunningProcess(["listen", "0", "--host", "127.0.0.1"] + arguments + (json ? ["--json"] : []))
        let readyLine = try await process.nextLine()
        let port: Int
        if json {
            port = try #require(try jsonObject(readyLine)["port"] as? Int)
        } else {
            let text = try #require(readyLine.split(separator: " ").dropFirst(2).first)
            port = try #require(Int(text.split(separator: ":").last ?? ""))
        }
        return RunningListener(process: process, readyLine: readyLine, port: port)
    }

    /// The next event line after those already seen.
    func nextEvent() async throws -> [String: Any] {
        try await process.nextEvent()
    }

    func stop() {
        process.stop()
    }
}
