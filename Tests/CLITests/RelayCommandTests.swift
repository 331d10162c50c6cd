import Foundation
import Testing

/// `snap2p relay`, `snap2p listen --relay` and `snap2p dial relay:…`, three processes on 127.0.0.1.
@Suite struct RelayCommandTests {
    @Test func dialReachesAListenerThroughTheRelay() async throws {
        let relay = try RunningProcess(["relay", "0", "--host", "127.0.0.1", "--testnet", "--json"])
        defer { relay.stop() }
        let ready = try await relay.nextEvent()
        #expect(ready["event"] as? String == "ready")
        let relayPrincipal = try #require(ready["principal"] as? String)
        let relayAddress = "127.0.0.1:\(try #require(ready["port"] as? Int))"

        let listener = try await RunningListener.start(["--testnet", "--relay", relayAddress])
        defer { listener.stop() }
        let listenerPrincipal = try #require(listener.principal)
        let reserved = try await listener.nextEvent()
        #expect(reserved["event"] as? String == "reserved")
        #expect(reserved["locator"] as? String == "relay:\(relayAddress)")
        #expect(reserved["relay"] as? String == relayPrincipal)
        #expect(reserved["expires"] is Int)
        let relayReserved = try await relay.nextEvent()
        #expect(relayReserved["event"] as? String == "reserved")
        #expect(relayReserved["principal"] as? String == listenerPrincipal)

        let result = try await SNaP2PExecutable.run([
            "dial", "relay:\(relayAddress)", "--expect", listenerPrincipal, "--testnet", "--json", "-m", "hi",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let events = try result.lines.map(jsonObject)
        // An echo at once through the relay; then the connection upgrades to a direct one on
        // loopback (both sides punch from their relay sessions' ports) and echoes again.
        #expect(events.map { $0["event"] as? String } == ["connected", "relayed", "echo", "upgraded", "echo", "done"])
        #expect(events[0]["principal"] as? String == listenerPrincipal)
        #expect(events[0]["path"] as? String == "relayed")
        #expect(events[1]["relay"] as? String == relayPrincipal)
        #expect(events[2]["path"] as? String == "relayed")
        #expect(events[3]["principal"] as? String == listenerPrincipal)
        #expect(events[3]["path"] as? String == "direct")
        #expect((events[3]["remote"] as? String)?.hasPrefix("127.0.0.1:") == true)
        #expect(events[3]["remote"] as? String != relayAddress)
        #expect(events[4]["path"] as? String == "direct")
        #expect(events[5]["bytes"] as? Int == 4)

        let connected = try await listener.nextEvent()
        #expect(connected["event"] as? String == "connected")
        #expect(connected["path"] as? String == "relayed")
        #expect(try await listener.nextEvent()["event"] as? String == "relayed")
        let upgraded = try await listener.nextEvent()
        #expect(upgraded["event"] as? String == "upgraded")
        #expect(upgraded["path"] as? String == "direct")
        let opened = try await relay.nextEvent()
        #expect(opened["event"] as? String == "relay_opened")
        #expect(opened["target"] as? String == listenerPrincipal)
        // The relayed sessions are retired after the upgrade: the relay's circuit closes.
        let closed = try await relay.nextEvent()
        #expect(closed["event"] as? String == "relay_closed")
        #expect((closed["relayed_bytes"] as? Int ?? 0) > 0)

        // A principal nobody reserved is refused with the relay's reason and its own exit status.
        let refused = try await SNaP2PExecutable.run([
            "dial", "relay:\(relayAddress)", "--expect", relayPrincipal, "--testnet", "--json",
        ])
        #expect(refused.status == 10)
        #expect(try refused.lines.map(jsonObject).last?["event"] as? String == "error")
        #expect(refused.standardError.contains("no-reservation"))
    }

    @Test func listenReservesAgainWhenTheRelayComesBack() async throws {
        let relay = try RunningProcess(["relay", "0", "--host", "127.0.0.1", "--testnet", "--json"])
        defer { relay.stop() }
        let port = try #require(try await relay.nextEvent()["port"] as? Int)
        let listener = try await RunningListener.start(["--testnet", "--relay", "127.0.0.1:\(port)"])
        defer { listener.stop() }
        #expect(try await listener.nextEvent()["event"] as? String == "reserved")

        relay.interrupt()
        #expect(try await relay.exitStatus() == 0)
        let lost = try await listener.nextEvent()
        #expect(lost["event"] as? String == "relay_lost")
        #expect(lost["remote"] as? String == "127.0.0.1:\(port)")

        // A relay back on the same port (a new identity) gets the reservation again.
        let restarted = try RunningProcess(["relay", "\(port)", "--host", "127.0.0.1", "--testnet", "--json"])
        defer { restarted.stop() }
        let newRelay = try #require(try await restarted.nextEvent()["principal"] as? String)
        var event = try await listener.nextEvent()
        while event["event"] as? String == "relay_lost" { event = try await listener.nextEvent() }
        #expect(event["event"] as? String == "reserved")
        #expect(event["relay"] as? String == newRelay)
        let result = try await SNaP2PExecutable.run([
            "dial", "relay:127.0.0.1:\(port)", "--expect", try #require(listener.principal), "--testnet", "-m", "back",
        ])
        #expect(result.status == 0, "\(result.standardError)")
    }

    @Test func dialThroughARelayNeedsExpect() async throws {
        let result = try await SNaP2PExecutable.run(["dial", "relay:127.0.0.1:9", "--testnet"])
        #expect(result.status == 64)
        #expect(result.standardError.contains("--expect"))
    }

    @Test(arguments: [["chat", "relay:127.0.0.1:9"], ["send", "/etc/hostname", "relay:127.0.0.1:9"]])
    func commandsThatDoNotDialThroughRelaysSaySo(arguments: [String]) async throws {
        let result = try await SNaP2PExecutable.run(arguments + ["--testnet"])
        #expect(result.status == 64)
        #expect(result.standardError.contains("does not dial through a relay"))
    }
}
