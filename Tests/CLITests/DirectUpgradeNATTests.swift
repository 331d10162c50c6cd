import Foundation
import Testing

/// A relayed connection between hosts behind two NATs, upgraded to a direct one (root only;
/// skipped otherwise): B behind NAT 2 holds a reservation on a relay in the public namespace, and
/// A behind NAT 1 dials it by principal through the relay.
@Suite struct DirectUpgradeNATTests {
    static let relayAddress = "\(NATTopology.publicAddress):7100"

    /// Starts the relay and B's `listen --relay`; returns them with B's principal once reserved.
    /// Every event of `process` up to its `done` or `error`.
    static func events(of process: RunningProcess) async throws -> [[String: Any]] {
        var events: [[String: Any]] = []
        while true {
            let event = try await process.nextEvent()
            events.append(event)
            if ["done", "error"].contains(event["event"] as? String) { return events }
        }
    }

    static func relayAndReservedB(in topology: NATTopology) async throws -> (relay: RunningProcess, b: RunningProcess, principal: String) {
        let relay = try topology.start(in: .publicHost, ["relay", "7100", "--testnet", "--json"])
        #expect(try await relay.nextEvent()["event"] as? String == "ready", "\(relay.standardError)")
        let b = try topology.start(in: .b, ["listen", "0", "--relay", relayAddress, "--testnet", "--json"])
        let ready = try await b.nextEvent()
        let principal = try #require(ready["principal"] as? String, "\(b.standardError)")
        #expect(try await b.nextEvent()["event"] as? String == "reserved", "\(b.standardError)")
        #expect(try await relay.nextEvent()["event"] as? String == "reserved")
        return (relay, b, principal)
    }

    @Test func aReachesBThroughTheRelayAtOnceThenDirectly() async throws {
        try await NATTopology.with { topology in
            let (relay, b, bob) = try await Self.relayAndReservedB(in: topology)
            defer { relay.stop(); b.stop() }
            let a = try topology.start(in: .a, [
                "dial", "relay:\(Self.relayAddress)", "--expect", bob, "--testnet", "--json", "-m", "across two NATs",
                "--upgrade-seconds", "30",
            ])
            defer { a.stop() }
            let events = try await Self.events(of: a)
            try #require(events.map { $0["event"] as? String } == ["connected", "relayed", "echo", "upgraded", "echo", "done"], "\(events)")
            #expect(events[2]["path"] as? String == "relayed", "the first echo went through the relay at once")
            // The direct remote is B's NAT's public address, at the port it mapped B's relay session to.
            let remote = try #require(events[3]["remote"] as? String)
            #expect(remote.hasPrefix("\(NATTopology.nat2PublicAddress):"), "\(remote)")
            #expect(events[4]["path"] as? String == "direct")
            #expect(try await a.exitStatus() == 0, "\(a.standardError)")

            let connected = try await b.nextEvent()
            #expect(connected["event"] as? String == "connected")
            #expect(try await b.nextEvent()["event"] as? String == "relayed")
            let upgraded = try await b.nextEvent()
            #expect(upgraded["event"] as? String == "upgraded", "\(b.standardError)")
            #expect((upgraded["remote"] as? String)?.hasPrefix("\(NATTopology.nat1PublicAddress):") == true, "\(upgraded)")

            // The relay forwarded the first echo, then retired the circuit: its counters stop.
            let opened = try await relay.nextEvent()
            #expect(opened["event"] as? String == "relay_opened")
            let closed = try await relay.nextEvent()
            #expect(closed["event"] as? String == "relay_closed")
            #expect((closed["relayed_bytes"] as? Int ?? 0) > 0)
        }
    }

    @Test func withInboundSYNsDroppedAtNAT2TheRelayedPathKeepsWorking() async throws {
        try await NATTopology.with(blockingDirectPaths: true) { topology in
            let (relay, b, bob) = try await Self.relayAndReservedB(in: topology)
            defer { relay.stop(); b.stop() }
            let a = try topology.start(in: .a, [
                "dial", "relay:\(Self.relayAddress)", "--expect", bob, "--testnet", "--json", "-m", "still relayed",
                "--upgrade-seconds", "30",
            ])
            defer { a.stop() }
            let events = try await Self.events(of: a)
            try #require(events.map { $0["event"] as? String } == ["connected", "relayed", "echo", "upgrade_failed", "done"], "\(events)")
            #expect(events[2]["path"] as? String == "relayed")
            #expect(events[3]["error"] is String)
            #expect(try await a.exitStatus() == 0, "\(a.standardError)")
            _ = try await b.nextEvent()  // connected
            _ = try await b.nextEvent()  // relayed
            #expect(try await b.nextEvent()["event"] as? String == "upgrade_failed", "\(b.standardError)")
        }
    }
}
