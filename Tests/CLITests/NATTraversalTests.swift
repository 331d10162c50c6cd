import Foundation
import Testing

/// `snap2p` processes across the NAT network of ``NATTopology`` (root only; skipped otherwise).
@Suite struct NATTraversalTests {
    /// A host behind NAT 1 reaches the public side, which sees it as NAT 1's public address with
    /// the source port kept (MASQUERADE), and learns that mapping from the listener (obs1); the
    /// public side cannot reach the host.
    @Test func aHostBehindANATLearnsItsPublicMappingFromAPublicPeer() async throws {
        try await NATTopology.with { topology in
            let listener = try topology.start(in: .publicHost, ["listen", "7000", "--testnet", "--json"])
            defer { listener.stop() }
            _ = try await listener.nextEvent()
            let dial = try topology.start(in: .a, ["dial", "\(NATTopology.publicAddress):7000", "--testnet", "--json"])
            defer { dial.stop() }
            let dialed = try await dial.nextEvent()
            #expect(dialed["event"] as? String == "connected")
            let local = try #require(dialed["local"] as? String)
            #expect(local.hasPrefix("\(NATTopology.hostAAddress):"), "\(local)")
            let port = try #require(local.split(separator: ":").last)
            #expect(dialed["observed_address"] as? String == "\(NATTopology.nat1PublicAddress):\(port)")
            #expect(try await dial.exitStatus() == 0, "\(dial.standardError)")

            let connected = try await listener.nextEvent()
            #expect(connected["event"] as? String == "connected")
            #expect(connected["remote"] as? String == "\(NATTopology.nat1PublicAddress):\(port)")
            #expect(connected["observed_address"] as? String == "\(NATTopology.publicAddress):7000")

            let inbound = try topology.start(in: .publicHost, ["dial", "\(NATTopology.hostAAddress):7000", "--testnet", "--json"])
            defer { inbound.stop() }
            #expect(try await inbound.exitStatus() != 0)
        }
    }
}

/// TCP hole punching between a host behind NAT 1 and one behind NAT 2, each with a stored wallet
/// so that both know the other's principal beforehand (a relay would tell them).
@Suite struct HolePunchingTests {
    static let password = "correct horse battery staple"
    static let environment = ["SNAP2P_PASSWORD": password]

    /// Creates the testnet wallet `name` in `directory` and returns its principal.
    static func wallet(_ name: String, in directory: String) async throws -> String {
        let created = try await SNaP2PExecutable.run(
            ["wallet", "create", "--name", name, "--testnet", "--json", "--wallet-dir", directory], environment: environment)
        #expect(created.status == 0, "\(created.standardError)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(created.standardOutput.utf8)) as? [String: Any])
        return "stacks:" + (try #require(object["address"] as? String))
    }

    /// The `ip:port` a public peer sees for `host` dialing from `port`, as obs1 reports it.
    static func publicMapping(of host: NATTopology.Host, fromPort port: Int, in topology: NATTopology) async throws -> String {
        let dial = try topology.start(in: host, [
            "dial", "\(NATTopology.publicAddress):7000", "--testnet", "--json", "--from-port", "\(port)",
        ])
        defer { dial.stop() }
        let connected = try await dial.nextEvent()
        #expect(try await dial.exitStatus() == 0, "\(dial.standardError)")
        return try #require(connected["observed_address"] as? String)
    }

    @Test func hostsBehindTwoNATsOpenADirectSessionFromThePortsTheyUsedTowardAPublicPeer() async throws {
        let wallets = FileManager.default.temporaryDirectory.appendingPathComponent("snap2p-punch-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: wallets) }
        try await NATTopology.with { topology in
            let alice = try await Self.wallet("alice", in: wallets)
            let bob = try await Self.wallet("bob", in: wallets)
            let listener = try topology.start(in: .publicHost, ["listen", "7000", "--testnet", "--json"])
            defer { listener.stop() }
            _ = try await listener.nextEvent()
            // MASQUERADE keeps a free source port, so each mapping is the NAT's address and the same port.
            let aliceMapping = try await Self.publicMapping(of: .a, fromPort: 40000, in: topology)
            let bobMapping = try await Self.publicMapping(of: .b, fromPort: 41000, in: topology)
            #expect(aliceMapping == "\(NATTopology.nat1PublicAddress):40000")
            #expect(bobMapping == "\(NATTopology.nat2PublicAddress):41000")

            let bobSide = try topology.start(in: .b, [
                "listen", "41000", "--simultaneous-open", aliceMapping, "--allow", alice, "--punch-seconds", "60",
                "--wallet", "bob", "--wallet-dir", wallets, "--testnet", "--json",
            ], environment: Self.environment)
            defer { bobSide.stop() }
            let aliceSide = try topology.start(in: .a, [
                "dial", bobMapping, "--simultaneous-open", "--from-port", "40000", "--expect", bob, "--punch-seconds", "60",
                "--wallet", "alice", "--wallet-dir", wallets, "--testnet", "--json", "-m", "across two NATs",
            ], environment: Self.environment)
            defer { aliceSide.stop() }

            let connected = try await aliceSide.nextEvent()
            #expect(connected["event"] as? String == "connected", "\(aliceSide.standardError)")
            #expect(connected["principal"] as? String == bob)
            #expect(connected["local"] as? String == "\(NATTopology.hostAAddress):40000")
            #expect(connected["observed_address"] as? String == aliceMapping)
            let echo = try await aliceSide.nextEvent()
            #expect(echo["event"] as? String == "echo")
            #expect(echo["bytes"] as? Int == "across two NATs".utf8.count)
            #expect(try await aliceSide.exitStatus() == 0, "\(aliceSide.standardError)")

            let accepted = try await bobSide.nextEvent()
            #expect(accepted["event"] as? String == "connected", "\(bobSide.standardError)")
            #expect(accepted["principal"] as? String == alice)
            #expect(accepted["remote"] as? String == aliceMapping)
            #expect(accepted["observed_address"] as? String == bobMapping)
            #expect(try await bobSide.nextEvent()["event"] as? String == "closed")
            #expect(try await bobSide.exitStatus() == 0, "\(bobSide.standardError)")
        }
    }

    @Test func withDirectPathsBlockedAtNAT2ThePunchGivesUpWithAClearError() async throws {
        let wallets = FileManager.default.temporaryDirectory.appendingPathComponent("snap2p-punch-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: wallets) }
        try await NATTopology.with(blockingDirectPaths: true) { topology in
            let alice = try await Self.wallet("alice", in: wallets)
            let bob = try await Self.wallet("bob", in: wallets)
            let bobSide = try topology.start(in: .b, [
                "listen", "41000", "--simultaneous-open", "\(NATTopology.nat1PublicAddress):40000", "--allow", alice,
                "--punch-seconds", "3", "--wallet", "bob", "--wallet-dir", wallets, "--testnet", "--json",
            ], environment: Self.environment)
            defer { bobSide.stop() }
            let aliceSide = try topology.start(in: .a, [
                "dial", "\(NATTopology.nat2PublicAddress):41000", "--simultaneous-open", "--from-port", "40000", "--expect", bob,
                "--punch-seconds", "3", "--wallet", "alice", "--wallet-dir", wallets, "--testnet", "--json",
            ], environment: Self.environment)
            defer { aliceSide.stop() }
            for side in [aliceSide, bobSide] {
                let error = try await side.nextEvent()
                #expect(error["event"] as? String == "error")
                #expect((error["error"] as? String)?.contains("no direct connection") == true, "\(error)")
                #expect(try await side.exitStatus() != 0)
            }
        }
    }
}
