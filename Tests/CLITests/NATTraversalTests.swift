import Foundation
import Testing

/// `snap2p` processes across the NAT network of ``NATTopology`` (root only; skipped otherwise).
@Suite struct NATTraversalTests {
    /// The topology itself: a host behind NAT 1 reaches the public side, which sees it as NAT 1's
    /// public address with the source port kept (MASQUERADE); the public side cannot reach it.
    @Test func aHostBehindANATReachesThePublicSideAsItsNAT() async throws {
        try await NATTopology.with { topology in
            let listener = try topology.start(in: .publicHost, ["listen", "7000", "--testnet", "--json"])
            defer { listener.stop() }
            _ = try await listener.nextEvent()
            let dial = try topology.start(in: .a, ["dial", "\(NATTopology.publicAddress):7000", "--testnet", "--json"])
            defer { dial.stop() }
            #expect(try await dial.exitStatus() == 0, "\(dial.standardError)")
            let connected = try await listener.nextEvent()
            #expect(connected["event"] as? String == "connected")
            let remote = try #require(connected["remote"] as? String)
            #expect(remote.hasPrefix("\(NATTopology.nat1PublicAddress):"), "\(remote)")

            let inbound = try topology.start(in: .publicHost, ["dial", "\(NATTopology.hostAAddress):7000", "--testnet", "--json"])
            defer { inbound.stop() }
            #expect(try await inbound.exitStatus() != 0)
        }
    }
}
