import SNaP2PIdentity
import SNaP2PNoise
import SNaP2PWire
import Testing
import TestSupport

@testable import SNaP2PSession

/// Replays recorded random draws in order; a draw of the wrong size or past the end is a test failure.
struct ReplayRandomSource: RandomSource {
    var draws: [[UInt8]]

    mutating func randomBytes(count: Int) -> [UInt8] {
        guard !draws.isEmpty else {
            Issue.record("no recorded draw left for \(count) bytes")
            return [UInt8](repeating: 0, count: count)
        }
        let draw = draws.removeFirst()
        #expect(draw.count == count)
        return draw
    }
}

extension [HandshakeAction] {
    var sentFrames: [[UInt8]] { compactMap { if case .send(let body) = $0 { body } else { nil } } }

    var established: EstablishedSession? {
        for action in self { if case .established(let session) = action { return session } }
        return nil
    }

    var closeError: HandshakeError? {
        for action in self { if case .close(let error) = action { return error } }
        return nil
    }
}

/// One side of a test connection: wallet, node key, attestation.
struct TestPeer {
    let wallet: LocalWallet
    let nodeKey: NodeKey
    let attestation: NodeKeyAttestation

    static let now: UInt64 = 1_700_000_000

    /// A fresh identity whose attestation was issued at `issuedAt` for `validity` seconds.
    static func make(
        network: StacksNetwork = .mainnet,
        issuedAt: UInt64 = now,
        validity: UInt64 = NodeKeyAttestation.defaultValidity,
        attesting attestedNodeKey: NodeKey? = nil
    ) async throws -> TestPeer {
        let wallet = LocalWallet.ephemeral(network: network)
        let nodeKey = NodeKey.generate()
        let attestation = try await NodeKeyAttestation.issue(
            wallet: wallet,
            nodePublicKey: (attestedNodeKey ?? nodeKey).publicKey,
            issuedAt: issuedAt,
            validity: validity
        )
        return TestPeer(wallet: wallet, nodeKey: nodeKey, attestation: attestation)
    }

    func configuration(
        _ role: HandshakeRole,
        network: StacksNetwork = .mainnet,
        visibility: Visibility = .public,
        inviteToken: [UInt8]? = nil,
        verifier: (any InviteTokenVerifier)? = nil,
        policy: any AuthorizationPolicy = AllowAllPolicy(),
        attestation: NodeKeyAttestation? = nil,
        noisePolicy: NoiseSchedulePolicy = .preferStandard,
        capabilities: [String] = HandshakeConfiguration.defaultCapabilities,
        aliasCard: AliasCard? = nil
    ) -> HandshakeConfiguration {
        HandshakeConfiguration(
            role: role,
            nodeKey: nodeKey,
            attestation: attestation ?? self.attestation,
            network: network,
            visibility: visibility,
            capabilities: capabilities,
            inviteToken: inviteToken,
            inviteTokenVerifier: verifier,
            authorizationPolicy: policy,
            noisePolicy: noisePolicy,
            aliasCard: aliasCard
        )
    }
}

/// How one side's handshake ended.
enum Outcome {
    case established(EstablishedSession)
    case failed(HandshakeError)
    case pending

    var session: EstablishedSession? { if case .established(let session) = self { session } else { nil } }
    var error: HandshakeError? { if case .failed(let error) = self { error } else { nil } }
}

/// Runs two machines against each other in memory until both finish or nothing moves. When one side
/// closes, the other sees the connection close once it has read everything sent before.
/// `tamper` may rewrite each frame in flight (index counts every frame on the wire).
struct HandshakeRun {
    var dialer: Outcome = .pending
    var listener: Outcome = .pending
    /// Every frame in wire order, with its direction.
    var frames: [(fromDialer: Bool, body: [UInt8])] = []

    init(
        dialer dialerMachine: HandshakeStateMachine,
        listener listenerMachine: HandshakeStateMachine,
        dialerNow: UInt64 = TestPeer.now,
        listenerNow: UInt64 = TestPeer.now,
        dialerObserves: ObservedAddress? = nil,
        listenerObserves: ObservedAddress? = nil,
        tamper: (Int, [UInt8]) -> [UInt8] = { $1 }
    ) {
        var dialerMachine = dialerMachine
        var listenerMachine = listenerMachine
        var toListener: [[UInt8]] = []
        var toDialer: [[UInt8]] = []

        func absorb(_ actions: [HandshakeAction], fromDialer: Bool) {
            for action in actions {
                switch action {
                case .send(let body):
                    let body = tamper(frames.count, body)
                    frames.append((fromDialer, body))
                    if fromDialer { toListener.append(body) } else { toDialer.append(body) }
                case .established(let session):
                    if fromDialer { dialer = .established(session) } else { listener = .established(session) }
                case .close(let error):
                    if fromDialer { dialer = .failed(error) } else { listener = .failed(error) }
                }
            }
        }

        absorb(listenerMachine.start(now: listenerNow, observedRemoteAddress: listenerObserves), fromDialer: false)
        absorb(dialerMachine.start(now: dialerNow, observedRemoteAddress: dialerObserves), fromDialer: true)
        while true {
            if !toListener.isEmpty {
                let frame = toListener.removeFirst()
                if !listenerMachine.isFinished { absorb(listenerMachine.receive(frame: frame, now: listenerNow), fromDialer: false) }
            } else if !toDialer.isEmpty {
                let frame = toDialer.removeFirst()
                if !dialerMachine.isFinished { absorb(dialerMachine.receive(frame: frame, now: dialerNow), fromDialer: true) }
            } else {
                break
            }
        }
        if case .failed = dialer, !listenerMachine.isFinished { listener = .failed(listenerMachine.connectionClosed()) }
        if case .failed = listener, !dialerMachine.isFinished { dialer = .failed(dialerMachine.connectionClosed()) }
    }
}
