import SNaP2PIdentity
import SNaP2PNoise
import SNaP2PSession
import SNaP2PWire

/// `HandshakeStateMachine` in both roles, fed arbitrary bytes: stealth KNOCK, framing at the
/// 64 KiB unauthenticated limit, Noise message parsing, the refusals.
///
/// Checks: one terminal action per handshake, last in its batch, and nothing but a `close` after
/// it; `isFinished` matches; raw bytes never establish a session (that would need the AEAD keys);
/// a stealth listener says nothing but plaintext AUTH_FAIL or KNOCK_RESPONSE before a valid KNOCK
/// and answers KNOCK_RESPONSE(true) exactly when its verifier admitted a token, then message 2 or
/// (requiring standard Noise) AUTH_FAIL 2; at most one Noise message leaves the machine.
enum HandshakeTarget {
    static let token = [UInt8](repeating: 0x7a, count: 32)

    static let target = FuzzTarget("handshake", dictionary: "cbor", prepare: { _ = (attestationA, attestationB) }) { bytes in
        var input = FuzzInput(bytes)
        let role: HandshakeRole = input.bool() ? .responder : .initiator
        let visibility = input.pick(Visibility.allCases)
        let verifier = CountingTokenVerifier(token: token)
        let knocks = role == .initiator && input.bool()
        let configuration = HandshakeConfiguration(
            role: role,
            nodeKey: Identities.nodeKeyA,
            attestation: attestationA,
            network: .mainnet,
            visibility: visibility,
            inviteToken: knocks ? token : nil,
            inviteTokenVerifier: input.bool() ? verifier : nil,
            noisePolicy: input.pick(NoiseSchedulePolicy.allCases))
        let now = Identities.now &+ UInt64(bitPattern: Int64(input.int(in: -1000...1000)))
        var machine = HandshakeStateMachine(configuration: configuration, random: FuzzRandomSource(state: input.uint64()))
        var log = ActionLog()

        log.record(machine.start(now: now), finished: machine.isFinished)
        while !input.isExhausted {
            let chunk = input.lengthPrefixedBytes()
            if input.int(in: 0...7) == 7 {
                log.record(machine.receive(frame: chunk, now: now), finished: machine.isFinished)
            } else {
                log.record(machine.receive(bytes: chunk, now: now), finished: machine.isFinished)
            }
        }
        if !machine.isFinished {
            let error = machine.connectionClosed()
            invariant(error.code == .connectionClosed, "connectionClosed() gave \(error.code)")
            invariant(machine.isFinished, "not finished after the connection closed")
            let after = machine.receive(bytes: [0], now: now)
            invariant(after.count == 1 && after.sent.isEmpty, "output after the connection closed: \(after)")
        }

        invariant(log.established == nil, "raw bytes established a session")
        let noiseMessages = log.sent.filter { (try? ControlMessage.decode($0)) == nil }
        invariant(noiseMessages.count <= 1, "\(noiseMessages.count) Noise messages sent to raw bytes")
        if role == .responder && visibility == .stealth {
            checkStealth(log.sent, admitted: verifier.admitted)
        }
    }

    /// A stealth listener reveals nothing to a dialer without a valid token.
    static func checkStealth(_ sent: [[UInt8]], admitted: Int) {
        invariant(admitted <= 1, "the verifier admitted \(admitted) KNOCKs on one connection")
        for (index, body) in sent.enumerated() {
            let message = try? ControlMessage.decode(body)
            switch message {
            case .knockResponse(accepted: true)?:
                invariant(index == 0 && admitted == 1, "KNOCK_RESPONSE(true) without an admitted token")
            case .authFail(let code, _)? where admitted == 1:
                // Past a valid KNOCK only the Noise schedule can still be refused, instead of message 2.
                invariant(index == 1 && code == .versionUnsupported, "refusal with code \(code) after admitting a token")
            case .authFail(let code, _)?:
                invariant([.inviteRequired, .invalidToken].contains(code), "stealth refusal with code \(code)")
            default:
                invariant(admitted == 1 && index == 1, "a stealth listener sent \(Hex.encode(body.prefix(16)))… before admitting a token")
            }
        }
    }

    static let attestationA = AttestationFields.attestation(by: Identities.wallet(Identities.walletKeyA, .mainnet), for: Identities.nodeKeyA.publicKey)
    static let attestationB = AttestationFields.attestation(by: Identities.wallet(Identities.walletKeyB, .mainnet), for: Identities.nodeKeyB.publicKey)
}

extension [HandshakeAction] {
    var sent: [[UInt8]] { compactMap { if case .send(let body) = $0 { body } else { nil } } }
}
