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
