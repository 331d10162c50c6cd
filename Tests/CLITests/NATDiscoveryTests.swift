import Foundation
import Testing

/// PX-1 across the NAT network of ``NATTopology`` (root only; skipped otherwise): a peer behind
/// NAT 2 that reserved a slot on a public relay is found by principal from behind NAT 1.
@Suite struct NATDiscoveryTests {
    @Test func aPeerBehindANATIsFoundByPrincipalThroughItsRelayThenReachedDirectly() async throws {
        try await NATTopology.with { topology in
            let (relay, listener, principal) = try await topology.startRelayAndReservedB(["listen", "0"])
            defer { relay.stop(); listener.stop() }
            let relayAddress = NATTopology.relayAddress

            // B sees it is behind a NAT (obs1), so it tells the relay relay:HOST:PORT and not its
            // private address.
            // A finds B by principal through the relay and is relayed at once; then the connection
            // upgrades to a direct one through both NATs. Punching can miss on a machine busy with the
            // rest of the suite (the relayed path then simply carries on): one of three dials must upgrade.
            var upgradedRemote: String?
            var failures: [String] = []
            for _ in 0..<3 where upgradedRemote == nil {
                let dial = try topology.start(in: .a, ["dial", principal, "--via", relayAddress, "--testnet", "--json", "-m", "hi"])
                defer { dial.stop() }
                #expect(try await dial.exitStatus(timeout: .seconds(60)) == 0, "\(dial.standardError)")
                let events = try dial.lines.map(jsonObject)
                let connected = try #require(events.first { $0["event"] as? String == "connected" })
                #expect(connected["principal"] as? String == principal)
                #expect(connected["path"] as? String == "relayed")
                #expect(events.contains { $0["event"] as? String == "echo" && $0["bytes"] as? Int == 2 })
                if let upgraded = events.first(where: { $0["event"] as? String == "upgraded" }) {
                    upgradedRemote = upgraded["remote"] as? String
                    #expect(events.contains { $0["event"] as? String == "echo" && $0["path"] as? String == "direct" })
                } else {
                    failures.append(events.first { $0["event"] as? String == "upgrade_failed" }.map { "\($0["error"] ?? "?")" } ?? "no upgrade event")
                }
            }
            #expect(upgradedRemote?.hasPrefix("\(NATTopology.nat2PublicAddress):") == true, "\(upgradedRemote ?? "no upgrade in three dials: \(failures)")")
        }
    }

    /// `chat` by principal reaches the same peer through the relay and, before its chat stream opens,
    /// waits for the direct upgrade (the stream stays on the path it opens on); the line comes back.
    @Test func chatByPrincipalWaitsForTheUpgradeBeforeItsStreamOpens() async throws {
        try await NATTopology.with { topology in
            let (relay, listener, principal) = try await topology.startRelayAndReservedB(["listen", "0"])
            defer { relay.stop(); listener.stop() }
            let relayAddress = NATTopology.relayAddress

            let chat = try topology.start(in: .a, ["chat", principal, "--via", relayAddress, "--testnet", "--json"])
            defer { chat.stop() }
            var events: [[String: Any]] = []
            while !events.contains(where: { ["upgraded", "upgrade_failed"].contains($0["event"] as? String) }) {
                events.append(try await chat.nextEvent())
            }
            let names = events.compactMap { $0["event"] as? String }
            // resolving, resolved, then these three.
            #expect(Array(names.suffix(3).prefix(2)) == ["connected", "relayed"], "\(names)")
            #expect(events.first { $0["event"] as? String == "connected" }?["path"] as? String == "relayed")
            if let upgraded = events.last, upgraded["event"] as? String == "upgraded" {
                #expect((upgraded["remote"] as? String)?.hasPrefix("\(NATTopology.nat2PublicAddress):") == true, "\(upgraded)")
            }
            chat.write("across two NATs\n")
            let echoed = try await chat.nextEvent()
            #expect(echoed["event"] as? String == "message")
            #expect(echoed["text"] as? String == "across two NATs")
            chat.closeInput()
            var last = try await chat.nextEvent()
            while last["event"] as? String != "closed" { last = try await chat.nextEvent() }
            #expect(try await chat.exitStatus(timeout: .seconds(30)) == 0, "\(chat.standardError)")
        }
    }

    /// `receive --relay` behind NAT 2 gets a file that `send` behind NAT 1 addresses by principal
    /// through the relay: relayed at first, then (the punch permitting) direct before the file's
    /// stream opens; the file arrives whole either way.
    @Test func sendByPrincipalReachesAReceiverThatReservedOnTheRelay() async throws {
        let scratch = try FileTransferScratch()
        let file = try scratch.makeFile("across.bin", count: 3_000_000, seed: 16)
        try await NATTopology.with { topology in
            let (relay, receiver, principal) = try await topology.startRelayAndReservedB(
                ["receive", "0", "--dir", scratch.inbox, "--yes"])
            defer { relay.stop(); receiver.stop() }
            let relayAddress = NATTopology.relayAddress

            let sender = try topology.start(in: .a, ["send", file, principal, "--via", relayAddress, "--testnet", "--json"])
            defer { sender.stop() }
            #expect(try await sender.exitStatus(timeout: .seconds(60)) == 0, "\(sender.standardError)")
            let events = try sender.lines.map(jsonObject)
            let names = events.compactMap { $0["event"] as? String }
            #expect(names.contains("relayed"), "\(names)")
            let upgrade = try #require(names.firstIndex { $0 == "upgraded" || $0 == "upgrade_failed" }, "\(names)")
            #expect(upgrade < (names.firstIndex(of: "accepted") ?? -1), "the upgrade ends before the file's stream opens: \(names)")
            let done = try #require(events.first { $0["event"] as? String == "done" })
            #expect(done["sha256"] as? String == (try FileTransferScratch.sha256(file)))
            #expect(try await receiver.exitStatus(timeout: .seconds(30)) == 0, "\(receiver.standardError)")
            #expect(try FileTransferScratch.contents(scratch.inbox + "/across.bin") == (try FileTransferScratch.contents(file)))
        }
    }
}
