import Crypto
import SNaP2PIdentity
import SNaP2PNoise
import SNaP2PSession
import SNaP2PWire

/// `HandshakeStateMachine` against a scripted peer that holds real keys: the peer completes Noise
/// and encrypts what the fuzzer chooses (honest messages, or HELLO/AUTH/AUTH_OK with altered
/// fields, wrong types, undecodable plaintext, flipped ciphertext, plaintext in place of
/// ciphertext), so every step after Noise is reached. Covers both roles, stealth KNOCK in both
/// directions, allowlists, clock skew, and frames split and coalesced on the wire.
///
/// Checks, besides those of ``ActionLog``: the machine establishes exactly when the peer stayed
/// within the protocol (and the clocks and the policy allow it); an established session names the
/// peer's principal, attestation and HELLO, the session id both sides agreed and the peer's
/// handshake hash, holds every byte that followed the last handshake frame, and its cipher is in
/// step with the peer's both ways; every frame the machine sends decrypts at the peer and is the
/// message the protocol expects at that point, with our true HELLO, attestation and principal.
enum HandshakePeerTarget {
    static let target = FuzzTarget("handshake-peer", prepare: prepare) { bytes in
        var input = FuzzInput(bytes)
        var run = PeerRun(&input)
        run.execute(&input)
    }

    static let walletA = Identities.wallet(Identities.walletKeyA, .mainnet)
    static let walletB = Identities.wallet(Identities.walletKeyB, .mainnet)
    /// The machine's identity: wallet A, node key A.
    static let attestationA = HandshakeTarget.attestationA
    /// The peer's identity: wallet B, node key B, and the attestations it may wrongly present.
    static let attestationB = HandshakeTarget.attestationB
    static let expiredB = AttestationFields.attestation(
        by: walletB, for: Identities.nodeKeyB.publicKey, issuedAt: Identities.now - 3 * 86_400, validity: 86_400)
    static let testnetB = AttestationFields.attestation(
        by: Identities.wallet(Identities.walletKeyB, .testnet), for: Identities.nodeKeyB.publicKey)
    static let bForNodeKeyA = AttestationFields.attestation(by: walletB, for: Identities.nodeKeyA.publicKey)
    static let token = [UInt8](repeating: 0x6b, count: 24)

    static func prepare() {
        Identities.prepare()
        _ = (attestationA, attestationB, expiredB, testnetB, bForNodeKeyA)
    }
}

/// One connection: the machine under test and the scripted peer, with the wire between them.
struct PeerRun {
    let role: HandshakeRole
    let configuration: HandshakeConfiguration
    let machineNow: UInt64
    var machine: HandshakeStateMachine
    var log = ActionLog()
    var peer: ScriptedPeer

    /// Bytes the peer wrote that the machine has not read yet.
    var wire: [UInt8] = []
    /// Frames the machine wrote that the peer has not read yet.
    var toPeer: [[UInt8]] = []
    /// Whether the clocks and the policy allow an honest peer in.
    let admissible: Bool
    /// The established session's first frame, for the peer to open.
    var sessionFrame: [UInt8]?

    init(_ input: inout FuzzInput) {
        role = input.bool() ? .responder : .initiator
        let visibility = input.pick(Visibility.allCases)
        let policy: any AuthorizationPolicy
        var policyAdmitsPeer = true
        switch input.int(in: 0...3) {
        case 1: policy = AllowlistPolicy([HandshakePeerTarget.walletB.principal])
        case 2:
            policy = AllowlistPolicy([HandshakePeerTarget.walletA.principal])
            policyAdmitsPeer = false
        default: policy = AllowAllPolicy()
        }
        let knocks = role == .initiator && input.bool()
        let stealthListener = role == .responder && visibility == .stealth
        let skew = input.int(in: 0...3) == 3 ? input.int(in: -400...400) : 0
        machineNow = Identities.now &+ UInt64(bitPattern: Int64(skew))
        configuration = HandshakeConfiguration(
            role: role,
            nodeKey: Identities.nodeKeyA,
            attestation: HandshakePeerTarget.attestationA,
            network: .mainnet,
            visibility: visibility,
            capabilities: input.bool() ? [] : HandshakeConfiguration.defaultCapabilities,
            inviteToken: knocks ? HandshakePeerTarget.token : nil,
            inviteTokenVerifier: stealthListener ? CountingTokenVerifier(token: HandshakePeerTarget.token) : nil,
            authorizationPolicy: policy)
        machine = HandshakeStateMachine(configuration: configuration, random: FuzzRandomSource(state: input.uint64()))
        peer = ScriptedPeer(
            role: role == .initiator ? .responder : .initiator,
            ephemeral: input.paddedBytes(32),
            expectsKnock: knocks,
            mustKnock: stealthListener,
            machineConfiguration: configuration,
            machineNow: machineNow)
        admissible = policyAdmitsPeer && abs(skew) <= Int(HandshakeConfiguration.defaultClockSkewTolerance)
    }

    mutating func execute(_ input: inout FuzzInput) {
        record(machine.start(now: machineNow))
        wire += peer.start(&input)
        var deliveries = 0
        while true {
            if let frame = toPeer.first {
                toPeer.removeFirst()
                wire += peer.receive(frame, &input)
            } else if !wire.isEmpty && !machine.isFinished {
                // Deliver the wire in pieces the fuzzer picks (whole, or split anywhere), all of it
                // once the fuzzer has had its 48 pieces.
                let count = deliveries < 48 && input.bool() ? input.int(in: 1...max(1, wire.count)) : wire.count
                let chunk = Array(wire.prefix(count))
                wire.removeFirst(chunk.count)
                deliveries += 1
                record(machine.receive(bytes: chunk, now: machineNow))
                if let session = log.established {
                    checkEstablished(session, pending: wire)
                    break
                }
            } else {
                break
            }
        }
        // The peer reads what is left (an AUTH_FAIL, the machine's AUTH_OK) for the message checks.
        while let frame = toPeer.first {
            toPeer.removeFirst()
            _ = peer.receive(frame, &input)
        }
        if let sessionFrame {
            invariant(peer.open(sessionFrame) == Self.sessionPong, "the session's first frame does not open at the peer")
        }
        checkOutcome()
    }

    mutating func record(_ actions: [HandshakeAction]) {
        toPeer += log.record(actions, finished: machine.isFinished)
    }

    /// Established exactly when it should be; refused only for a reason the peer gave it.
    func checkOutcome() {
        let established = log.established != nil
        if established {
            invariant(!peer.deviated, "established although the peer deviated: \(peer.deviations)")
            invariant(admissible, "established although the clocks or the policy forbid it")
        } else if !peer.deviated && admissible && peer.finished {
            invariant(false, "an honest peer was refused: \(String(describing: log.closeError)), peer \(peer.stage)")
        }
        if let error = log.closeError, !peer.deviated, admissible {
            invariant(false, "closed with \(error) although the peer was honest")
        }
    }

    /// The session matches what the peer knows, and both ciphers are in step.
    mutating func checkEstablished(_ session: EstablishedSession, pending: [UInt8]) {
        invariant(session.role == role, "session role \(session.role)")
        invariant(session.remotePrincipal == HandshakePeerTarget.walletB.principal, "remote principal \(session.remotePrincipal)")
        invariant(session.localPrincipal == HandshakePeerTarget.walletA.principal, "local principal \(session.localPrincipal)")
        invariant(session.remoteAttestation == HandshakePeerTarget.attestationB, "remote attestation is not the peer's")
        invariant(session.remoteHello == peer.lastHello, "remote HELLO is not the one the peer sent")
        invariant(session.sessionID == peer.sessionID && session.sessionID.count == 32, "session ids differ")
        invariant(session.handshakeHash == peer.handshakeHash, "handshake hashes differ")
        invariant(session.mustWaitForPeerBeforeSending == (role == .initiator), "wait-for-peer flag is wrong")
        invariant(session.bufferedBytes + pending == peer.trailing, "bytes after the handshake were lost or invented")

        // The peer's trailing PINGs open with the session's cipher, in order.
        var cipher = session.cipher
        var decoder = FrameDecoder(maximumFrameLength: FramingLimits.maximumFrameLength)
        decoder.append(peer.trailing)
        for ping in peer.trailingPings {
            guard let frame = try? decoder.nextFrame() else { return invariant(false, "a trailing PING frame is missing") }
            let opened = Result { () throws(SessionCipherError) in try cipher.open(frame) }
            invariant(opened == .success(ping), "trailing PING opened as \(opened)")
        }
        // And the session's first frame opens at the peer, once it has read the handshake's last frames.
        var body: [UInt8] = []
        invariant((try? cipher.seal(Self.sessionPong, appendingTo: &body)) != nil, "the session cipher cannot seal")
        sessionFrame = body
    }

    static let sessionPong = ControlMessage.pong(seq: 42, timestamp: 0)
}

/// The other side, playing the protocol with real keys and deviating where the fuzzer says.
struct ScriptedPeer {
    enum Stage: Equatable {
        case knock, knockResponse, noise, hello, auth, authOK, done, stopped
    }

    let role: HandshakeRole
    let machineConfiguration: HandshakeConfiguration
    let machineNow: UInt64
    var noise: NoiseXXHandshake
    var ciphers: NoiseTransportCiphers?
    var stage: Stage
    /// The machine's KNOCK must come first (the machine dials with a token).
    let expectsKnock: Bool
    /// The machine is a stealth listener.
    let mustKnock: Bool
    private(set) var deviations: [String] = []
    var deviated: Bool { !deviations.isEmpty }
    /// The peer sent its last handshake frame.
    private(set) var finished = false
    private(set) var lastHello: Hello?
    private(set) var sessionID: [UInt8] = []
    private(set) var handshakeHash: [UInt8] = []
    /// Bytes written after the last handshake frame, and the PINGs among them.
    private(set) var trailing: [UInt8] = []
    private(set) var trailingPings: [ControlMessage] = []
    /// The machine has refused (it sent AUTH_FAIL or closed): nothing more is expected.
    private var refused = false

    init(role: HandshakeRole, ephemeral: [UInt8], expectsKnock: Bool, mustKnock: Bool, machineConfiguration: HandshakeConfiguration, machineNow: UInt64) {
        self.role = role
        self.expectsKnock = expectsKnock
        self.mustKnock = mustKnock
        self.machineConfiguration = machineConfiguration
        self.machineNow = machineNow
        noise = NoiseXXHandshake(
            role: role, schedule: .reference, staticKey: Identities.nodeKeyB.noiseStaticKey,
            ephemeralKey: try! Curve25519.KeyAgreement.PrivateKey(rawRepresentation: ephemeral))
        stage = role == .responder ? (expectsKnock ? .knock : .noise) : (mustKnock ? .knockResponse : .noise)
    }

    mutating func deviate(_ what: String) {
        deviations.append(what)
    }

    // MARK: - Peer as dialer

    /// The dialer's first frame: KNOCK (or not) to a stealth listener, else Noise message 1.
    mutating func start(_ input: inout FuzzInput) -> [UInt8] {
        guard role == .initiator else { return [] }
        if mustKnock {
            switch input.int(in: 0...7) {
            case 1:
                deviate("knocked with a wrong token")
                return Framing.frame(ControlMessage.knock(token: input.lengthPrefixedBytes(maximum: 40)).encoded())
            case 2:
                deviate("did not knock")
                stage = .noise
                return Framing.frame(writeNoise(&input))
            case 3:
                deviate("sent another plaintext message instead of KNOCK")
                return Framing.frame(ControlMessage.ping(seq: 1, timestamp: 0).encoded())
            default:
                return Framing.frame(ControlMessage.knock(token: HandshakePeerTarget.token).encoded())
            }
        }
        return Framing.frame(writeNoise(&input))
    }

    mutating func writeNoise(_ input: inout FuzzInput) -> [UInt8] {
        var payload: [UInt8] = []
        if role == .initiator && noise.remoteStaticPublicKey == nil {
            // Message 1: no payload (the reference), the standard-schedule offer, or fuzzed bytes;
            // the machine (a listener) answers under the schedule its policy picks for it.
            switch input.int(in: 0...15) {
            case 15: payload = input.lengthPrefixedBytes(maximum: 32)
            case 14: payload = NoiseScheduleOffer(schedules: [.standard]).encoded()
            default: break
            }
            let schedule = machineConfiguration.noisePolicy.schedule(answering: NoiseScheduleOffer(payload: payload)) ?? .reference
            invariant((try? noise.select(schedule: schedule)) != nil, "the peer could not choose its schedule")
        }
        guard var message = try? noise.writeMessage(payload: payload) else {
            invariant(false, "the peer's Noise write failed")
            return []
        }
        if input.int(in: 0...15) == 15 {
            message[input.int(in: 0...65535) % message.count] ^= 0x40
            deviate("altered a Noise message")
        }
        if noise.isComplete { finishNoise() }
        return message
    }

    mutating func finishNoise() {
        ciphers = try? noise.split()
        handshakeHash = noise.handshakeHash
        invariant(ciphers != nil, "the peer's split failed")
        invariant(noise.remoteStaticPublicKey == Array(Identities.nodeKeyA.noiseStaticKey.publicKey.rawRepresentation), "the machine's Noise static key is not its node key's")
    }

    /// Reacts to one frame from the machine; returns the bytes to put on the wire.
    mutating func receive(_ frame: [UInt8], _ input: inout FuzzInput) -> [UInt8] {
        if stage == .stopped || refused { return [] }
        switch stage {
        case .knock:
            // The machine dials a stealth listener: KNOCK with its token comes first.
            invariant((try? ControlMessage.decode(frame)) == .knock(token: HandshakePeerTarget.token), "the machine's first frame is not its KNOCK")
            stage = .noise
            switch input.int(in: 0...7) {
            case 1:
                deviate("refused the KNOCK")
                stage = .stopped
                return Framing.frame(ControlMessage.knockResponse(accepted: false).encoded())
            case 2:
                deviate("answered KNOCK with AUTH_FAIL")
                stage = .stopped
                return Framing.frame(ControlMessage.authFail(code: .invalidToken, reason: "no").encoded())
            default:
                return Framing.frame(ControlMessage.knockResponse(accepted: true).encoded())
            }
        case .knockResponse:
            // We knocked at the machine (a stealth listener).
            switch try? ControlMessage.decode(frame) {
            case .knockResponse(accepted: true)?:
                invariant(!deviated, "KNOCK_RESPONSE(true) for a bad KNOCK")
                stage = .noise
                return Framing.frame(writeNoise(&input))
            case .authFail(let code, _)?:
                invariant(deviated, "an honest KNOCK was refused with \(code)")
                invariant([.invalidToken, .inviteRequired].contains(code), "KNOCK refused with code \(code)")
                refused = true
                return []
            default:
                invariant(false, "a stealth listener answered KNOCK with \(Hex.encode(frame.prefix(16)))")
                return []
            }
        case .noise:
            return receiveNoise(frame, &input)
        case .hello, .auth, .authOK, .done:
            guard let message = open(frame) else {
                invariant(false, "a frame from the machine does not open at the peer (stage \(stage))")
                return []
            }
            return receiveEncrypted(message, &input)
        case .stopped:
            return []
        }
    }

    mutating func receiveNoise(_ frame: [UInt8], _ input: inout FuzzInput) -> [UInt8] {
        if case .authFail(let code, _)? = try? ControlMessage.decode(frame), role == .initiator, frame.count < 64 {
            // A stealth listener that refused us after all.
            invariant(deviated, "refused with \(code) during Noise")
            refused = true
            return []
        }
        guard let payload = try? noise.readMessage(frame) else {
            // Only possible when we altered our own Noise message (the keys no longer agree).
            invariant(deviated, "the machine's Noise message does not read at the peer")
            stage = .stopped
            return []
        }
        switch role {
        case .responder:
            if !noise.isComplete, let offer = NoiseScheduleOffer(payload: payload), offer.schedules.contains(.standard), input.bool() {
                // A listener that takes the machine's offer, as a Swift peer does.
                invariant((try? noise.select(schedule: .standard)) != nil, "the peer could not choose its schedule")
            }
            if noise.isComplete {
                finishNoise()
                stage = .hello
                return []
            }
            if input.int(in: 0...15) == 15 {
                deviate("answered Noise message 1 with AUTH_FAIL")
                stage = .stopped
                return Framing.frame(ControlMessage.authFail(code: .inviteRequired, reason: nil).encoded())
            }
            return Framing.frame(writeNoise(&input))
        case .initiator:
            // Message 2 read: write message 3, then speak first with HELLO.
            var out = Framing.frame(writeNoise(&input))
            guard ciphers != nil else { return out }
            stage = .hello
            out += sendHello(&input)
            return out
        }
    }

    mutating func receiveEncrypted(_ message: ControlMessage, _ input: inout FuzzInput) -> [UInt8] {
        if case .authFail = message {
            // Whether the refusal was deserved is judged from the machine's close (PeerRun.checkOutcome).
            refused = true
            return []
        }
        switch (stage, role) {
        case (.hello, _):
            guard case .hello(let hello) = message else { return unexpected(message) }
            checkMachineHello(hello)
            stage = .auth
            // The listener answers HELLO with HELLO; the dialer goes on with AUTH.
            return role == .responder ? sendHello(&input) : sendAuth(&input)
        case (.auth, _):
            guard case .auth(let attestation, let handshakeData) = message else { return unexpected(message) }
            invariant(attestation == HandshakePeerTarget.attestationA.serialized() && handshakeData.isEmpty, "the machine's AUTH is not its attestation")
            stage = .authOK
            if role == .responder {
                // We listen: our AUTH, then AUTH_OK with a fresh session id.
                sessionID = input.paddedBytes(32)
                var out = sendAuth(&input)
                out += sendAuthOK(&input)
                return out
            }
            return []
        case (.authOK, .responder):
            // The machine dialed: its AUTH_OK echoes our session id.
            guard case .authOK(let principal, let echoed) = message else { return unexpected(message) }
            invariant(principal == HandshakePeerTarget.walletA.principal.description, "the machine's AUTH_OK names \(principal)")
            invariant(echoed == sessionID, "the machine's AUTH_OK does not echo our session id")
            stage = .done
            return []
        case (.authOK, .initiator):
            // The machine listens: its AUTH_OK carries the session id to echo.
            guard case .authOK(let principal, let id) = message else { return unexpected(message) }
            invariant(principal == HandshakePeerTarget.walletA.principal.description, "the machine's AUTH_OK names \(principal)")
            invariant(id.count == 32, "the machine's session id is \(id.count) bytes")
            sessionID = id
            return sendAuthOK(&input)
        default:
            return unexpected(message)
        }
    }

    mutating func unexpected(_ message: ControlMessage) -> [UInt8] {
        invariant(false, "the machine sent \(message) at stage \(stage)")
        return []
    }

    func checkMachineHello(_ hello: Hello) {
        invariant(hello.version == 1, "the machine's HELLO has version \(hello.version)")
        invariant(hello.nodePublicKey == Identities.nodeKeyA.publicKey, "the machine's HELLO has another node key")
        invariant(hello.nonce.count == 32, "the machine's HELLO nonce is \(hello.nonce.count) bytes")
        invariant(hello.timestamp == machineNow, "the machine's HELLO time is \(hello.timestamp)")
        invariant(hello.visibility == machineConfiguration.visibility, "the machine's HELLO visibility is \(hello.visibility)")
        invariant(hello.capabilities == machineConfiguration.capabilities, "the machine's HELLO capabilities are \(hello.capabilities)")
    }

    // MARK: - What the peer sends

    mutating func sendHello(_ input: inout FuzzInput) -> [UInt8] {
        var hello = Hello(
            nodePublicKey: Identities.nodeKeyB.publicKey, nonce: [UInt8](repeating: 0x4e, count: 32), timestamp: Identities.now,
            visibility: .public, capabilities: [])
        let tolerance = Int(HandshakeConfiguration.defaultClockSkewTolerance)
        switch input.int(in: 0...15) {
        case 1:
            hello.version = UInt64(input.int(in: 0...3))
            if hello.version != 1 { deviate("HELLO version \(hello.version)") }
        case 2:
            hello.nodePublicKey = Identities.nodeKeyA.publicKey
            deviate("HELLO with another node key")
        case 3:
            hello.nonce = [UInt8](repeating: 1, count: input.int(in: 0...40))
            if hello.nonce.count != 32 { deviate("HELLO nonce of \(hello.nonce.count) bytes") }
        case 4:
            hello.timestamp = Identities.now &+ UInt64(bitPattern: Int64(input.int(in: -1000...1000)))
            let skew = hello.timestamp > machineNow ? hello.timestamp - machineNow : machineNow - hello.timestamp
            if skew > UInt64(tolerance) { deviate("HELLO \(skew) s off") }
        case 5:
            hello.capabilities = (0..<input.int(in: 0...3)).map { _ in String(decoding: input.lengthPrefixedBytes(maximum: 8), as: UTF8.self) }
        case 6:
            hello.visibility = input.pick(Visibility.allCases)
        case 7:
            hello.nodePublicKey = input.paddedBytes(input.int(in: 0...40))
            if hello.nodePublicKey != Identities.nodeKeyB.publicKey { deviate("HELLO with a node key of our choosing") }
        default:
            break
        }
        lastHello = hello
        return send(.hello(hello), &input)
    }

    mutating func sendAuth(_ input: inout FuzzInput) -> [UInt8] {
        var attestation = HandshakePeerTarget.attestationB.serialized()
        switch input.int(in: 0...15) {
        case 1:
            attestation = HandshakePeerTarget.expiredB.serialized()
        case 2:
            attestation = HandshakePeerTarget.testnetB.serialized()
        case 3:
            attestation = HandshakePeerTarget.bForNodeKeyA.serialized()
        case 4:
            attestation = HandshakePeerTarget.attestationA.serialized()
        case 5:
            attestation = input.lengthPrefixedBytes()
        case 6:
            attestation[input.int(in: 0...65535) % attestation.count] ^= 1 << UInt8(input.int(in: 0...7))
        default:
            break
        }
        // Bytes that still decode to the genuine attestation are no deviation.
        if (try? NodeKeyAttestation(serialized: attestation)) != HandshakePeerTarget.attestationB {
            deviate("AUTH with attestation bytes \(Hex.encode(attestation.prefix(8)))…")
        }
        return send(.auth(attestation: attestation, handshakeData: input.int(in: 0...15) == 15 ? [1, 2] : []), &input)
    }

    mutating func sendAuthOK(_ input: inout FuzzInput) -> [UInt8] {
        var principal = HandshakePeerTarget.walletB.principal.description
        var id = sessionID
        switch input.int(in: 0...15) {
        case 1:
            principal = HandshakePeerTarget.walletA.principal.description
            deviate("AUTH_OK names another principal")
        case 2:
            principal = String(decoding: input.lengthPrefixedBytes(maximum: 50), as: UTF8.self)
            if (try? Principal(principal)) != HandshakePeerTarget.walletB.principal { deviate("AUTH_OK principal \(principal)") }
        case 3:
            // A case-folded spelling names the same address.
            principal = "stacks:" + HandshakePeerTarget.walletB.principal.address.description.lowercased()
        case 4:
            id = input.paddedBytes(input.int(in: 0...40))
            if id.count != 32 || (role == .initiator && id != sessionID) { deviate("AUTH_OK with session id \(Hex.encode(id))") }
        default:
            break
        }
        // A dialing machine adopts the id we choose, which is the one the session must carry.
        if role == .responder { sessionID = id }
        var out = send(.authOK(principal: principal, sessionID: id), &input)
        finished = true
        stage = role == .responder ? .authOK : .done
        out += sendTrailing(&input)
        return out
    }

    /// After our last handshake frame: nothing, session PINGs, or garbage (left for the session).
    mutating func sendTrailing(_ input: inout FuzzInput) -> [UInt8] {
        var out: [UInt8] = []
        for seq in 0..<input.int(in: 0...2) {
            let ping = ControlMessage.ping(seq: UInt64(seq), timestamp: Identities.now)
            out += sealFrame(ping)
            trailingPings.append(ping)
        }
        if input.int(in: 0...7) == 7 { out += input.lengthPrefixedBytes(maximum: 40) }
        trailing += out
        return out
    }

    /// One encrypted message, or what the fuzzer puts in its place.
    mutating func send(_ message: ControlMessage, _ input: inout FuzzInput) -> [UInt8] {
        var choice = input.int(in: 0...31)
        if case .authOK = message, choice == 7 { choice = 0 }  // a second copy of the last frame is session data
        switch choice {
        case 1:
            deviate("sent PING instead of \(message)")
            return sealFrame(.ping(seq: 0, timestamp: 0))
        case 2:
            deviate("sent AUTH_FAIL instead of \(message)")
            return sealFrame(.authFail(code: .notAllowed, reason: "fuzz"))
        case 3:
            // A leading CBOR "break" makes sure the plaintext is no control message.
            deviate("encrypted undecodable bytes instead of \(message)")
            return sealFrameBody([0xff] + input.lengthPrefixedBytes(maximum: 64))
        case 4:
            deviate("flipped a ciphertext bit of \(message)")
            var body = seal(message.encoded())
            body[input.int(in: 0...65535) % body.count] ^= 1
            return Framing.frame(body)
        case 5:
            deviate("sent \(message) in plaintext")
            return Framing.frame(message.encoded())
        case 6:
            deviate("dropped \(message)")
            return []
        case 7:
            deviate("sent \(message) twice")
            return sealFrame(message) + sealFrame(message)
        default:
            return sealFrame(message)
        }
    }

    mutating func seal(_ plaintext: [UInt8]) -> [UInt8] {
        guard let sealed = try? ciphers?.sender.encrypt(plaintext) else {
            invariant(false, "the peer cannot seal")
            return []
        }
        return sealed
    }

    mutating func sealFrame(_ message: ControlMessage) -> [UInt8] {
        Framing.frame(seal(message.encoded()))
    }

    mutating func sealFrameBody(_ plaintext: [UInt8]) -> [UInt8] {
        Framing.frame(seal(plaintext))
    }

    /// Decrypts and decodes a frame from the machine.
    mutating func open(_ frame: [UInt8]) -> ControlMessage? {
        guard let plaintext = try? ciphers?.receiver.decrypt(frame) else { return nil }
        return try? ControlMessage.decode(plaintext)
    }
}
