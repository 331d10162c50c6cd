/// From transport connect to AUTH_OK: the handshake machine, its deadline and its frames.
struct HandshakingState: Sendable {
    let configuration: SessionConfiguration
    var handshake: HandshakeStateMachine
    /// When the handshake is given up (TIMEOUT).
    let deadline: Duration
    var output = OutputBuffer()
    /// Whether any frame arrived, to tell a silent hang-up from a refusal.
    private var heardFromRemote = false

    init(configuration: SessionConfiguration, now: SessionTime) {
        self.configuration = configuration
        self.handshake = HandshakeStateMachine(configuration: configuration.handshake)
        self.deadline = now.uptime + configuration.handshakeTimeout
    }

    mutating func start(now: SessionTime, observedRemoteAddress: ObservedAddress?) -> [HandshakeAction] {
        handshake.start(now: now.unixSeconds, observedRemoteAddress: observedRemoteAddress)
    }

    mutating func receive(frame: UnsafeRawBufferPointer, now: SessionTime) -> [HandshakeAction] {
        heardFromRemote = true
        return handshake.receive(frame: Array(frame), now: now.unixSeconds)
    }

    /// The application gave up on the handshake: the machine wipes its secrets.
    mutating func abandon() -> SessionEnd {
        let error = handshake.connectionClosed()
        return SessionEnd(.handshake, code: error.code, reason: "closed before the handshake finished")
    }

    /// The transport ended mid-handshake: the machine wipes its secrets, and the dialer learns why
    /// in the most useful words (a stealth listener hangs up on a dialer without a token, PROTOCOL.md §7).
    mutating func interrupted(transportError: String?) -> SessionEnd {
        let error = handshake.connectionClosed()
        let reason: String
        if configuration.handshake.role == .initiator, !heardFromRemote, configuration.handshake.inviteToken == nil {
            reason = "the listener closed the connection without a word; a stealth listener needs an invite token"
        } else {
            reason = transportError ?? "\(error.reason)"
        }
        return SessionEnd(.handshake, code: error.code, reason: reason)
    }
}
