import Foundation
import Testing

/// A relayed connection between hosts behind two NATs, upgraded to a direct one (root only;
/// skipped otherwise): B behind NAT 2 holds a reservation on a relay in the public namespace, and
/// A behind NAT 1 dials it by principal through the relay.
@Suite struct DirectUpgradeNATTests {
    /// Every event of `process` up to its `done` or `error`.
    static func events(of process: RunningProcess) async throws -> [[String: Any]] {
        var events: [[String: Any]] = []
        while true {
            let event = try await process.nextEvent()
            events.append(event)
            if ["done", "error"].contains(event["event"] as? String) { return events }
        }
    }

    @Test func aReachesBThroughTheRelayAtOnceThenDirectly() async throws {
        try await NATTopology.with { topology in
            let (relay, b, bob) = try await topology.startRelayAndReservedB(["listen", "0"])
            defer { relay.stop(); b.stop() }
            // The punch has 5 s; on a loaded host it can miss (docs/NAT-TRAVERSAL.md has the rate),
            // so A dials up to three times and one must upgrade. Every dial echoes over the relay first.
            var failures: [String] = []
            var upgradedEvents: [[String: Any]]?
            for _ in 0..<3 where upgradedEvents == nil {
                let a = try topology.start(in: .a, [
                    "dial", "relay:\(NATTopology.relayAddress)", "--expect", bob, "--testnet", "--json", "-m", "across two NATs",
                    "--upgrade-seconds", "30",
                ])
                defer { a.stop() }
                let events = try await Self.events(of: a)
                #expect(try await a.exitStatus() == 0, "\(a.standardError)")
                try #require(events.count >= 3 && events[2]["event"] as? String == "echo", "\(events)")
                #expect(events[2]["path"] as? String == "relayed", "the first echo went through the relay at once")
                if events.map({ $0["event"] as? String }) == ["connected", "relayed", "echo", "upgraded", "echo", "done"] {
                    upgradedEvents = events
                } else {
                    failures.append("\(events.last(where: { $0["event"] as? String == "upgrade_failed" }) ?? events.last ?? [:])")
                }
            }
            let events = try #require(upgradedEvents, "no dial upgraded: \(failures)")
            // The direct remote is B's NAT's public address, at the port it mapped B's relay session to.
            let remote = try #require(events[3]["remote"] as? String)
            #expect(remote.hasPrefix("\(NATTopology.nat2PublicAddress):"), "\(remote)")
            #expect(events[4]["path"] as? String == "direct")

            var upgraded = try await b.nextEvent()
            while upgraded["event"] as? String != "upgraded" { upgraded = try await b.nextEvent() }
            #expect((upgraded["remote"] as? String)?.hasPrefix("\(NATTopology.nat1PublicAddress):") == true, "\(upgraded)")

            // The relay forwarded each first echo, then the circuits closed: after the upgrade the
            // relayed sessions were retired, so its counters stop.
            var closed = 0
            while closed < failures.count + 1 {
                let event = try await relay.nextEvent()
                guard event["event"] as? String == "relay_closed" else { continue }
                closed += 1
                #expect((event["relayed_bytes"] as? Int ?? 0) > 0)
            }
        }
    }

    @Test func withInboundSYNsDroppedAtNAT2TheRelayedPathKeepsWorking() async throws {
        try await NATTopology.with(blockingDirectPaths: true) { topology in
            let (relay, b, bob) = try await topology.startRelayAndReservedB(["listen", "0"])
            defer { relay.stop(); b.stop() }
            let a = try topology.start(in: .a, [
                "dial", "relay:\(NATTopology.relayAddress)", "--expect", bob, "--testnet", "--json", "-m", "still relayed",
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
