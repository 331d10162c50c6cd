import Crypto
import SNaP2PIdentity
import SNaP2PNoise
import SNaP2PWire

/// The SNaP2P connection handshake as a pure value: [stealth KNOCK], Noise XX, encrypted HELLO both
/// ways, AUTH with attestations, AUTH_OK (PROTOCOL.md §0). The Noise key schedule is negotiated in
/// message 1 and 2 under ``HandshakeConfiguration/noisePolicy`` (``NoiseScheduleOffer``).
///
/// Frames in, actions out: the transport reads frames (a `FrameDecoder` at the 64 KiB
/// unauthenticated limit) and feeds them to ``receive(frame:now:)``, or hands raw bytes to
/// ``receive(bytes:now:)``; it writes every ``HandshakeAction/send(_:)`` body as a frame and
/// closes on ``HandshakeAction/close(_:)``. The clock (unix seconds) and all randomness are
/// injected, so a recorded session replays byte for byte.
///
/// Randomness is drawn in this order: Noise ephemeral key (32), HELLO nonce (32), and for the
/// listener the session id (32).
public struct HandshakeStateMachine: Sendable {
    /// Bytes of the HELLO nonce and of the session id.
    public static let nonceLength = 32
    /// The protocol version in HELLO.
    public static let protocolVersion: UInt64 = 1

    private enum Stage {
        case idle
        /// Stealth listener: the first frame must be a plaintext KNOCK.
        case awaitingKnock
        /// Dialer with a token: KNOCK sent.
        case awaitingKnockResponse
        /// Listener: Noise message 1, with the dialer's schedule offer, is next.
        case awaitingNoiseMessage1(NoiseXXHandshake)
        /// Dialer: message 1 sent; message 2 shows which schedule the listener chose.
        case awaitingNoiseMessage2(NoiseXXHandshake)
        /// Listener: message 2 sent under the chosen schedule.
        case awaitingNoiseMessage3(NoiseXXHandshake)
        case awaitingHello
        /// HELLO exchanged; AUTH (the peer's attestation) is next.
        case awaitingAuth
        /// Attestations exchanged; the dialer awaits the listener's AUTH_OK, the listener the echo.
        case awaitingAuthOK
        case established
        case closed
    }

    /// The peer as established by its AUTH.
    private struct VerifiedPeer {
        let principal: Principal
        let attestation: NodeKeyAttestation
        let aliasCard: Result<AliasCard, AliasCardError>?
        /// Where the peer says it sees us (obs1).
        let observedAddress: ObservedAddress?
    }

    /// A refusal on its way out: the error, and what (if anything) to tell the peer first.
    private struct Refusal: Error {
        enum Reply {
            case none
            case plaintext(String)
            case encrypted(String)
        }

        let error: HandshakeError
        let reply: Reply

        init(_ reason: HandshakeError.Reason, code: ProtocolErrorCode, reply: Reply, remoteReason: String? = nil) {
            self.error = HandshakeError(reason, code: code, remoteReason: remoteReason)
            self.reply = reply
        }
    }

    /// Who we are and whom we admit.
    public let configuration: HandshakeConfiguration
    /// Boxed so that the machine, and the session states holding it, stay loadable.
    private var random: ExistentialBox<any RandomSource>
    private var stage = Stage.idle
    private var frameDecoder = FrameDecoder(maximumFrameLength: FramingLimits.unauthenticatedFrameLength)
    private var channel: SessionCipher?
    private var handshakeHash: [UInt8] = []
    private var noiseSchedule = NoiseKeySchedule.reference
    private var remoteStaticKey: [UInt8] = []
    private var remoteHello: Hello?
    private var remotePeer: VerifiedPeer?
    private var sessionID: [UInt8] = []
    /// The address the transport sees for the peer, told to it in AUTH under obs1.
    private var observedRemoteAddress: ObservedAddress?

    /// A handshake for one connection.
    public init(configuration: HandshakeConfiguration, random: any RandomSource = SystemRandomSource()) {
        self.configuration = configuration
        self.random = ExistentialBox(random)
    }

    /// True once the machine emitted ``HandshakeAction/established(_:)`` or ``HandshakeAction/close(_:)``.
    public var isFinished: Bool {
        switch stage {
        case .established, .closed: true
        default: false
        }
    }

    /// Begins the handshake once the connection is up. The dialer sends KNOCK (when it has an
    /// invite token) or Noise message 1; the listener sends nothing and waits.
    /// `observedRemoteAddress` is the peer's address as the transport sees it, if it has one.
    public mutating func start(now: UInt64, observedRemoteAddress: ObservedAddress? = nil) -> [HandshakeAction] {
        guard case .idle = stage else { return [] }
        self.observedRemoteAddress = observedRemoteAddress
        switch configuration.role {
        case .initiator:
            if let token = configuration.inviteToken {
                stage = .awaitingKnockResponse
                return [.send(ControlMessage.knock(token: token).encoded())]
            }
            var actions: [HandshakeAction] = []
            do throws(Refusal) {
                try beginNoise(sending: &actions)
            } catch {
                return refuse(error, after: actions)
            }
            return actions
        case .responder:
            stage = configuration.visibility == .stealth ? .awaitingKnock : .awaitingNoiseMessage1(makeNoise())
            return []
        }
    }

    /// Feeds raw bytes from the connection: frames are cut at the unauthenticated size limit and
    /// processed in order. On ``HandshakeAction/established(_:)`` the bytes after the last
    /// handshake frame are in ``EstablishedSession/bufferedBytes``, so nothing is lost.
    public mutating func receive(bytes: some Sequence<UInt8>, now: UInt64) -> [HandshakeAction] {
        guard !isFinished else { return [.close(Self.usedAfterFinishing)] }
        frameDecoder.append(bytes)
        var actions: [HandshakeAction] = []
        while !isFinished {
            let frame: [UInt8]?
            do {
                frame = try frameDecoder.nextFrame()
            } catch {
                let code: ProtocolErrorCode = if case .frameTooLarge = error { .messageTooLarge } else { .invalidMessage }
                return refuse(Refusal(.framing(error), code: code, reply: .none), after: actions)
            }
            guard let frame else { break }
            actions += receive(frame: frame, now: now)
        }
        if case .established(var session) = actions.last {
            session.bufferedBytes = frameDecoder.takeBufferedBytes()
            actions[actions.count - 1] = .established(session)
        }
        return actions
    }

    /// Feeds one whole frame body.
    public mutating func receive(frame: [UInt8], now: UInt64) -> [HandshakeAction] {
        var actions: [HandshakeAction] = []
        do throws(Refusal) {
            try handle(frame, now: now, actions: &actions)
        } catch {
            return refuse(error, after: actions)
        }
        return actions
    }

    /// The peer closed the connection (or it broke) before the handshake finished.
    public mutating func connectionClosed() -> HandshakeError {
        let error = HandshakeError(.closedByPeer, code: .connectionClosed)
        if !isFinished { wipe(stage: .closed) }
        return error
    }

    /// A caller bug: after `.established` the connection's bytes belong to the session.
    private static let usedAfterFinishing = HandshakeError(
        .unexpectedMessage("input after the handshake finished"),
        code: .internalError
    )

    // MARK: - Steps

    private mutating func handle(_ frame: [UInt8], now: UInt64, actions: inout [HandshakeAction]) throws(Refusal) {
        switch stage {
        case .established, .closed:
            throw Refusal(Self.usedAfterFinishing.reason, code: .internalError, reply: .none)
        case .idle:
            throw Refusal(.unexpectedMessage("frame before start(now:)"), code: .internalError, reply: .none)
        case .awaitingKnock:
            try handleKnock(frame, actions: &actions)
        case .awaitingKnockResponse:
            try handleKnockResponse(frame, actions: &actions)
        case .awaitingNoiseMessage1(let noise):
            try handleNoiseMessage1(frame, noise: noise, actions: &actions)
        case .awaitingNoiseMessage2(let noise):
            try handleNoiseMessage2(frame, noise: noise, now: now, actions: &actions)
        case .awaitingNoiseMessage3(let noise):
            try handleNoiseMessage3(frame, noise: noise)
        case .awaitingHello:
            try handleHello(frame, now: now, actions: &actions)
        case .awaitingAuth:
            try handleAuth(frame, now: now, actions: &actions)
        case .awaitingAuthOK:
            try handleAuthOK(frame, actions: &actions)
        }
    }

    /// Stealth listener: KNOCK with a valid token opens the door; anything else closes it.
    private mutating func handleKnock(_ frame: [UInt8], actions: inout [HandshakeAction]) throws(Refusal) {
        let message: ControlMessage
        do {
            message = try ControlMessage.decode(frame)
        } catch {
            // Not a control message (e.g. Noise message 1 from a dialer without a token): say nothing.
            throw Refusal(.notKnocked, code: .inviteRequired, reply: .none)
        }
        guard case .knock(let token) = message else {
            throw Refusal(.inviteRequired, code: .inviteRequired, reply: .plaintext("Invite token required for stealth mode"))
        }
        guard let verifier = configuration.inviteTokenVerifier, verifier.redeem(inviteToken: token) else {
            throw Refusal(.inviteTokenRejected, code: .invalidToken, reply: .plaintext("Invalid or expired invite token"))
        }
        actions.append(.send(ControlMessage.knockResponse(accepted: true).encoded()))
        stage = .awaitingNoiseMessage1(makeNoise())
    }

    private mutating func handleKnockResponse(_ frame: [UInt8], actions: inout [HandshakeAction]) throws(Refusal) {
        switch try decodePlaintext(frame) {
        case .knockResponse(accepted: true):
            try beginNoise(sending: &actions)
        case .knockResponse(accepted: false):
            throw Refusal(.inviteTokenRejected, code: .invalidToken, reply: .none)
        case .authFail(let code, let reason):
            throw Refusal(.refusedByPeer, code: code, reply: .none, remoteReason: reason)
        default:
            throw Refusal(.unexpectedMessage("expected KNOCK_RESPONSE"), code: .invalidMessage, reply: .none)
        }
    }

    /// Listener: reads the dialer's offer from message 1 and answers under the schedule the policy picks.
    private mutating func handleNoiseMessage1(
        _ frame: [UInt8],
        noise: NoiseXXHandshake,
        actions: inout [HandshakeAction]
    ) throws(Refusal) {
        var noise = noise
        let payload: [UInt8]
        do {
            payload = try noise.readMessage(frame)
        } catch {
            throw Refusal(.noise(error), code: .handshakeFailed, reply: .none)
        }
        guard let schedule = configuration.noisePolicy.schedule(answering: NoiseScheduleOffer(payload: payload)) else {
            throw Refusal(.standardNoiseRequired, code: .versionUnsupported, reply: .plaintext(Self.standardNoiseRequired))
        }
        do {
            try noise.select(schedule: schedule)
            actions.append(.send(try noise.writeMessage()))
        } catch {
            throw Refusal(.noise(error), code: .handshakeFailed, reply: .none)
        }
        stage = .awaitingNoiseMessage3(noise)
    }

    /// Dialer: message 2 authenticates under the schedule the listener chose, tried in the policy's
    /// order on copies of the handshake. If the offer was altered or stripped on the way, `h`
    /// differs between the sides and no schedule authenticates: the handshake fails, never falls back.
    private mutating func handleNoiseMessage2(
        _ frame: [UInt8],
        noise: NoiseXXHandshake,
        now: UInt64,
        actions: inout [HandshakeAction]
    ) throws(Refusal) {
        var firstError: NoiseError?
        var accepted: NoiseXXHandshake?
        for schedule in configuration.noisePolicy.acceptedSchedules where accepted == nil {
            var attempt = noise
            do {
                try attempt.select(schedule: schedule)
                _ = try attempt.readMessage(frame)
                accepted = attempt
            } catch {
                firstError = firstError ?? error
            }
        }
        guard var noise = accepted else {
            throw message2Refusal(frame, noise: noise, error: firstError ?? .decryptFailed)
        }
        do {
            actions.append(.send(try noise.writeMessage()))
            try finishNoise(noise)
        } catch {
            throw Refusal(.noise(error), code: .handshakeFailed, reply: .none)
        }
        // The dialer speaks first once the channel is up.
        let hello = makeHello(now: now)
        try send(.hello(hello), actions: &actions)
    }

    /// Why message 2 was refused: the listener's plaintext AUTH_FAIL in its place (a stealth
    /// reference listener without a token store, a listener that requires standard Noise), a
    /// listener on the reference schedule when we require the standard one, or an unauthenticated
    /// message (tampering, or not a SNaP2P peer). We tell the listener in plaintext.
    private func message2Refusal(_ frame: [UInt8], noise: NoiseXXHandshake, error: NoiseError) -> Refusal {
        if case .authFail(let code, let reason)? = try? ControlMessage.decode(frame) {
            return Refusal(.refusedByPeer, code: code, reply: .none, remoteReason: reason)
        }
        if configuration.noisePolicy == .requireStandard {
            var reference = noise
            if (try? reference.select(schedule: .reference)) != nil, (try? reference.readMessage(frame)) != nil {
                return Refusal(.standardNoiseRequired, code: .versionUnsupported, reply: .plaintext(Self.standardNoiseRequired))
            }
        }
        return Refusal(.noise(error), code: .handshakeFailed, reply: .plaintext("Noise message 2 failed to authenticate"))
    }

    /// Listener: message 3 completes Noise, or is the dialer's plaintext AUTH_FAIL about message 2.
    private mutating func handleNoiseMessage3(_ frame: [UInt8], noise: NoiseXXHandshake) throws(Refusal) {
        var noise = noise
        do {
            _ = try noise.readMessage(frame)
            try finishNoise(noise)
        } catch {
            if case .authFail(let code, let reason)? = try? ControlMessage.decode(frame) {
                throw Refusal(.refusedByPeer, code: code, reply: .none, remoteReason: reason)
            }
            throw Refusal(.noise(error), code: .handshakeFailed, reply: .none)
        }
    }

    /// The AUTH_FAIL text of a refusal over the Noise schedule.
    private static let standardNoiseRequired = "Standard Noise required"

    private mutating func handleHello(_ frame: [UInt8], now: UInt64, actions: inout [HandshakeAction]) throws(Refusal) {
        guard case .hello(let hello) = try openEncrypted(frame) else {
            throw Refusal(.unexpectedMessage("expected HELLO"), code: .invalidMessage, reply: .encrypted("Expected HELLO"))
        }
        try validate(hello, now: now)
        remoteHello = hello
        stage = .awaitingAuth
        switch configuration.role {
        case .responder:
            let hello = makeHello(now: now)
            try send(.hello(hello), actions: &actions)
        case .initiator:
            try sendAuth(actions: &actions)
        }
    }

    private mutating func handleAuth(_ frame: [UInt8], now: UInt64, actions: inout [HandshakeAction]) throws(Refusal) {
        guard case .auth(let attestation, let handshakeData) = try openEncrypted(frame) else {
            throw Refusal(.unexpectedMessage("expected AUTH"), code: .invalidMessage, reply: .encrypted("Expected AUTH"))
        }
        remotePeer = try verifyPeer(attestation: attestation, handshakeData: handshakeData, now: now)
        stage = .awaitingAuthOK
        if configuration.role == .responder {
            try sendAuth(actions: &actions)
            sessionID = randomBytes(count: Self.nonceLength)
            try send(.authOK(principal: localPrincipal.description, sessionID: sessionID), actions: &actions)
        }
    }

    private mutating func handleAuthOK(_ frame: [UInt8], actions: inout [HandshakeAction]) throws(Refusal) {
        guard case .authOK(let principalText, let echoedID) = try openEncrypted(frame), let remotePeer else {
            throw Refusal(.unexpectedMessage("expected AUTH_OK"), code: .invalidMessage, reply: .encrypted("Expected AUTH_OK"))
        }
        guard let principal = try? Principal(principalText), echoedID.count == Self.nonceLength else {
            throw Refusal(.invalidAuthOK, code: .invalidMessage, reply: .encrypted("Malformed AUTH_OK"))
        }
        guard principal == remotePeer.principal else {
            throw Refusal(.principalMismatch(attested: remotePeer.principal, named: principal), code: .authFailed, reply: .encrypted("AUTH_OK principal differs from attestation"))
        }
        switch configuration.role {
        case .initiator:
            sessionID = echoedID
            try send(.authOK(principal: localPrincipal.description, sessionID: sessionID), actions: &actions)
        case .responder:
            guard constantTimeEquals(echoedID, sessionID) else {
                throw Refusal(.sessionIDMismatch, code: .authFailed, reply: .encrypted("Session id mismatch"))
            }
        }
        actions.append(.established(establish(remotePeer)))
    }

    // MARK: - Checks

    private func validate(_ hello: Hello, now: UInt64) throws(Refusal) {
        guard hello.version == Self.protocolVersion else {
            throw Refusal(.invalidHello("unsupported version \(hello.version)"), code: .versionUnsupported, reply: .encrypted("Unsupported version"))
        }
        guard hello.nodePublicKey.count == 32, hello.nonce.count == Self.nonceLength else {
            throw Refusal(.invalidHello("node key or nonce is not 32 bytes"), code: .invalidMessage, reply: .encrypted("Invalid HELLO"))
        }
        let skew = hello.timestamp > now ? hello.timestamp - now : now - hello.timestamp
        guard skew <= configuration.clockSkewTolerance else {
            throw Refusal(.invalidHello("timestamp \(hello.timestamp) is \(skew) s from our clock"), code: .invalidMessage, reply: .encrypted("Timestamp out of acceptable range"))
        }
    }

    /// Attestation (time window, network, signature), binding to the Noise static key, HELLO's node
    /// key, then the authorization policy; each refusal carries its wire code (6, 7 or 4). Then
    /// the alias card and observed address in `handshakeData`, which never refuse the peer.
    private func verifyPeer(attestation bytes: [UInt8], handshakeData: [UInt8], now: UInt64) throws(Refusal) -> VerifiedPeer {
        let attestation: NodeKeyAttestation
        let principal: Principal
        do throws(AttestationError) {
            attestation = try NodeKeyAttestation(serialized: bytes)
            principal = try attestation.verify(at: now, network: configuration.network)
        } catch {
            throw Refusal(.attestationRejected(error), code: error.protocolErrorCode, reply: .encrypted("Attestation invalid: \(error)"))
        }
        guard attestation.binds(noiseStaticKey: remoteStaticKey) else {
            throw Refusal(.nodeKeyBindingMismatch, code: .attestationInvalid, reply: .encrypted("Node key binding failed"))
        }
        guard remoteHello?.nodePublicKey == attestation.nodePublicKey else {
            throw Refusal(.helloNodeKeyMismatch, code: .attestationInvalid, reply: .encrypted("HELLO node key differs from attestation"))
        }
        guard configuration.authorizationPolicy.authorize(principal) else {
            throw Refusal(.notAuthorized(principal), code: .notAllowed, reply: .encrypted("Not on allowlist"))
        }
        let data = HandshakeData(decoding: handshakeData, for: negotiatedFeatures)
        let aliasCard = data.aliasCard.map { Self.aliasCard($0, of: principal, network: configuration.network, now: now) }
        return VerifiedPeer(principal: principal, attestation: attestation, aliasCard: aliasCard, observedAddress: data.observedAddress)
    }

    /// A received alias card, accepted only when it verifies (signature, limits, time, network)
    /// and speaks for the principal this session authenticated.
    private static func aliasCard(
        _ bytes: [UInt8], of principal: Principal, network: StacksNetwork, now: UInt64
    ) -> Result<AliasCard, AliasCardError> {
        Result { () throws(AliasCardError) in
            let card = try AliasCard(serialized: bytes)
            let signer = try card.verify(at: now, network: network)
            guard signer == principal else { throw .wrongPrincipal(card: signer, session: principal) }
            return card
        }
    }

    // MARK: - Helpers

    private var localPrincipal: Principal { configuration.attestation.principal }

    /// The features both HELLOs announced (none before the peer's HELLO arrived).
    private var negotiatedFeatures: SessionFeatures {
        SessionFeatures(local: configuration.capabilities, remote: remoteHello?.capabilities ?? [])
    }

    /// AUTH: our attestation, and in `hd` our alias card and the address we see for the peer, as
    /// far as the features carry them (empty otherwise, as the reference sends).
    private mutating func sendAuth(actions: inout [HandshakeAction]) throws(Refusal) {
        let features = negotiatedFeatures
        let data = HandshakeData(
            aliasCard: features.exchangesAliasCards ? configuration.aliasCard?.serialized() : nil,
            observedAddress: observedRemoteAddress
        )
        try send(.auth(attestation: configuration.attestation.serialized(), handshakeData: data.encoded(for: features)), actions: &actions)
    }

    /// `count` bytes from the injected source (a copy of it, put back, as the source is a value).
    private mutating func randomBytes(count: Int) -> [UInt8] {
        var source = random.value
        defer { random = ExistentialBox(source) }
        return source.randomBytes(count: count)
    }

    /// A Noise handshake with a fresh ephemeral key from the injected source.
    private mutating func makeNoise() -> NoiseXXHandshake {
        var seed = randomBytes(count: 32)
        defer { secureZero(&seed) }
        // Any 32 bytes are a valid X25519 private key (clamped when used).
        let ephemeral = try! Curve25519.KeyAgreement.PrivateKey(rawRepresentation: seed)
        // The schedule is chosen around message 2, before its first MixKey.
        return NoiseXXHandshake(
            role: configuration.role,
            schedule: .reference,
            staticKey: configuration.nodeKey.noiseStaticKey,
            ephemeralKey: ephemeral
        )
    }

    private mutating func beginNoise(sending actions: inout [HandshakeAction]) throws(Refusal) {
        var noise = makeNoise()
        do {
            actions.append(.send(try noise.writeMessage(payload: configuration.noisePolicy.offer?.encoded() ?? [])))
        } catch {
            throw Refusal(.noise(error), code: .handshakeFailed, reply: .none)
        }
        stage = .awaitingNoiseMessage2(noise)
    }

    private mutating func finishNoise(_ noise: NoiseXXHandshake) throws(NoiseError) {
        channel = SessionCipher(ciphers: try noise.split())
        handshakeHash = noise.handshakeHash
        noiseSchedule = noise.schedule
        remoteStaticKey = noise.remoteStaticPublicKey ?? []
        stage = .awaitingHello
    }

    private mutating func makeHello(now: UInt64) -> Hello {
        Hello(
            version: Self.protocolVersion,
            nodePublicKey: configuration.nodeKey.publicKey,
            nonce: randomBytes(count: Self.nonceLength),
            timestamp: now,
            visibility: configuration.visibility,
            capabilities: configuration.capabilities
        )
    }

    private mutating func send(_ message: ControlMessage, actions: inout [HandshakeAction]) throws(Refusal) {
        guard var channel else {
            throw Refusal(.unexpectedMessage("no channel"), code: .internalError, reply: .none)
        }
        var body: [UInt8] = []
        do {
            try channel.seal(message, appendingTo: &body)
        } catch {
            throw Refusal(.noise(.nonceExhausted), code: .internalError, reply: .none)
        }
        self.channel = channel
        actions.append(.send(body))
    }

    /// Decrypts and decodes; a peer's AUTH_FAIL at any encrypted step ends the handshake with its code.
    private mutating func openEncrypted(_ frame: [UInt8]) throws(Refusal) -> ControlMessage {
        guard var channel else {
            throw Refusal(.unexpectedMessage("no channel"), code: .internalError, reply: .none)
        }
        let message: ControlMessage
        do {
            message = try channel.open(frame)
        } catch {
            self.channel = channel
            if case .undecodableMessage(let decodingError) = error {
                throw Refusal(.undecodableMessage(decodingError), code: .invalidMessage, reply: .encrypted("Undecodable message"))
            }
            throw Refusal(.noise(.decryptFailed), code: .handshakeFailed, reply: .none)
        }
        self.channel = channel
        if case .authFail(let code, let reason) = message {
            throw Refusal(.refusedByPeer, code: code, reply: .none, remoteReason: reason)
        }
        return message
    }

    private func decodePlaintext(_ frame: [UInt8]) throws(Refusal) -> ControlMessage {
        do {
            return try ControlMessage.decode(frame)
        } catch {
            throw Refusal(.undecodableMessage(error), code: .invalidMessage, reply: .none)
        }
    }

    private mutating func establish(_ peer: VerifiedPeer) -> EstablishedSession {
        let session = EstablishedSession(
            role: configuration.role,
            cipher: channel!,
            localPrincipal: localPrincipal,
            remotePrincipal: peer.principal,
            remoteAttestation: peer.attestation,
            remoteHello: remoteHello!,
            sessionID: sessionID,
            handshakeHash: handshakeHash,
            noiseSchedule: noiseSchedule,
            remoteAliasCard: peer.aliasCard,
            observedAddress: peer.observedAddress,
            bufferedBytes: []
        )
        wipe(stage: .established)
        return session
    }

    /// Ends the handshake: tells the peer why when the protocol says so, then closes.
    private mutating func refuse(_ refusal: Refusal, after actions: [HandshakeAction]) -> [HandshakeAction] {
        var actions = actions
        switch refusal.reply {
        case .none:
            break
        case .plaintext(let reason):
            actions.append(.send(ControlMessage.authFail(code: refusal.error.code, reason: reason).encoded()))
        case .encrypted(let reason):
            try? send(.authFail(code: refusal.error.code, reason: reason), actions: &actions)
        }
        actions.append(.close(refusal.error))
        wipe(stage: .closed)
        return actions
    }

    /// Drops the handshake's key material once it is no longer needed.
    private mutating func wipe(stage: Stage) {
        self.stage = stage
        channel = nil
        secureZero(&sessionID)
    }
}
