import Foundation
import Testing
import TestSupport

/// PX-1 from the command line, three processes on 127.0.0.1: A listens, B listens and keeps a
/// session with A (`--connect`), C dials A by principal through B (`--via`).
@Suite struct DiscoveryCommandTests {
    @Test func dialByPrincipalThroughAConnectedPeer() async throws {
        let alice = try await RunningListener.start(["--testnet"])
        defer { alice.stop() }
        let bob = try await RunningListener.start(["--testnet", "--connect", "127.0.0.1:\(alice.port)"])
        defer { bob.stop() }
        // `ready` comes after the first --connect attempt; the session with alice is reported next.
        let linked = try await bob.nextEvent()
        #expect(linked["event"] as? String == "connected")
        #expect(linked["outbound"] as? Bool == true)
        #expect(linked["principal"] as? String == alice.principal)

        let alicePrincipal = try #require(alice.principal)
        let result = try await SNaP2PExecutable.run([
            "dial", alicePrincipal, "--via", "127.0.0.1:\(bob.port)", "--testnet", "--json", "-m", "hi",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let events = try result.lines.map(jsonObject)
        #expect(events.map { $0["event"] as? String } == ["resolving", "resolved", "connected", "echo", "done"])
        #expect(events[0]["via"] as? [String] == ["127.0.0.1:\(bob.port)"])
        #expect(events[1]["remote"] as? String == "127.0.0.1:\(alice.port)")
        #expect(events[2]["principal"] as? String == alicePrincipal)
        #expect(events[3]["bytes"] as? Int == 2)
    }

    @Test func anUnknownPrincipalFailsCleanlyNamingWhoWasAsked() async throws {
        let bob = try await RunningListener.start(["--testnet"])
        defer { bob.stop() }
        let nobody = "stacks:ST2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKQ9H6DPR"
        let json = try await SNaP2PExecutable.run(["dial", nobody, "--via", "127.0.0.1:\(bob.port)", "--testnet", "--json"])
        #expect(json.status == 9, "\(json.standardError)")
        let error = try #require(try json.lines.map(jsonObject).last)
        #expect(error["event"] as? String == "error")
        let asked = try #require(error["asked"] as? [[String: Any]])
        #expect(asked.count == 1)
        #expect(asked.first?["principal"] as? String == bob.principal)
        #expect(asked.first?["answer"] as? String == "not_known")

        let text = try await SNaP2PExecutable.run(["dial", nobody, "--via", "127.0.0.1:\(bob.port)", "--testnet"])
        #expect(text.status == 9)
        #expect(text.standardError.contains("nobody knew where \(nobody) listens"))
        #expect(text.standardError.contains(try #require(bob.principal)))
        #expect(text.standardError.contains("not known"))
    }

    @Test func aViaPeerThatIsNotThereIsReportedAsSuch() async throws {
        let refusing = try RefusingPort()
        let result = try await SNaP2PExecutable.run([
            "dial", "stacks:ST2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKQ9H6DPR", "--via", "127.0.0.1:\(refusing.port)", "--testnet",
        ])
        #expect(result.status == 2)
        #expect(result.standardError.contains("127.0.0.1:\(refusing.port)"))
    }

    @Test func viaIsOnlyForPrincipals() async throws {
        let result = try await SNaP2PExecutable.run(["dial", "127.0.0.1:9", "--via", "127.0.0.1:10"])
        #expect(result.status == 64)
        #expect(result.standardError.contains("--via is for dialing a stacks: principal"))
    }
}
