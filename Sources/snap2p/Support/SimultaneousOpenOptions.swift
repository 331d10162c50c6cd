import ArgumentParser
import SNaP2P

/// How long `dial --simultaneous-open` and `listen --simultaneous-open` keep trying, and the
/// simultaneous open (TCP hole punching) both make: from a local port toward the remote's public
/// address, while the remote does the same toward ours (docs/NAT-TRAVERSAL.md).
struct SimultaneousOpenOptions: ParsableArguments {
    @Option(help: ArgumentHelp("With --simultaneous-open: how many seconds to keep trying.", valueName: "seconds"))
    var punchSeconds = 10

    func validate() throws {
        guard punchSeconds >= 1 else { throw ValidationError("--punch-seconds must be at least 1") }
    }

    /// Connects `peer` to `remote` at `address` (its public `ip:port`) from `localPort`.
    func connect(_ peer: Peer, to address: String, from localPort: Int, expecting remote: Principal) async throws -> Connection {
        let plan = SimultaneousOpen(
            localPort: localPort,
            candidates: [try PeerAddress(parsing: address)],
            deadline: .now + .seconds(punchSeconds)
        )
        return try await peer.connect(simultaneouslyWith: remote, plan: plan)
    }
}
