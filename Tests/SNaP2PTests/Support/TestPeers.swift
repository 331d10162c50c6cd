import SNaP2P
import SNaP2PIdentity
import SNaP2PSession
import SNaP2PWire
import SNaP2PNoise

/// Peers for end-to-end tests: testnet identities, no rate limit unless a test asks for one.
enum TestPeers {
    static func configuration(
        visibility: Visibility = .public,
        authorization: any AuthorizationPolicy = AllowAllPolicy(),
        inviteTokens: InviteTokenStore = InviteTokenStore(),
        rateLimit: PeerConfiguration.RateLimit = .off,
        keepalive: PeerConfiguration.Keepalive = .init(),
        maximumStreams: Int = 100,
        flowControl: Bool = true,
        handshakeTimeout: Duration = .seconds(120),
        noisePolicy: NoiseSchedulePolicy = .preferStandard,
        directUpgrade: Bool = false,
        directUpgradeTimeout: Duration = .seconds(10)
    ) -> PeerConfiguration {
        PeerConfiguration(
            network: .testnet,
            visibility: visibility,
            authorization: authorization,
            inviteTokens: inviteTokens,
            rateLimit: rateLimit,
            handshakeTimeout: handshakeTimeout,
            keepalive: keepalive,
            maximumStreams: maximumStreams,
            flowControl: flowControl,
            directUpgrade: directUpgrade,
            directUpgradeTimeout: directUpgradeTimeout,
            noisePolicy: noisePolicy
        )
    }

    /// A listening peer on 127.0.0.1 and an ephemeral port.
    static func listener(_ configuration: PeerConfiguration = configuration()) async throws -> (Peer, Listener) {
        let peer = Peer(configuration: configuration)
        let listener = try await peer.listen(host: "127.0.0.1", port: 0)
        return (peer, listener)
    }

    /// Accepts the next connection or fails the test.
    static func accept(_ listener: Listener) async throws -> Connection {
        var iterator = listener.makeAsyncIterator()
        guard let connection = await iterator.next() else { throw TestFailure("listener ended") }
        return connection
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
