import DequeModule
import SNaP2PStreams
import SNaP2PWire

/// An established session, from AUTH_OK to its end: the cipher, the stream multiplexer,
/// keepalive, the dialer's hold, read pausing and the writes waiting to be sealed.
struct ActiveState: Sendable {
    let info: EstablishedSessionInfo
    var cipher: SessionCipher
    var multiplexer: StreamMultiplexer
    var keepalive: KeepaliveStateMachine
    /// When keepalive next has something to do, on the uptime clock.
    var keepaliveDeadline: Duration?
    /// Every stream open in at least one direction, with its queued writes.
    var streams: [StreamID: SessionStream] = [:]
    /// Streams with writes that can go, in turn order. Ids of streams that ended are skipped.
    var ready = Deque<StreamID>()
    /// Set for a dialer until the listener's first frame arrives (PROTOCOL.md §6).
    var hold: OutputHold?
    /// Whether reads are paused because a remote without fc1 is ahead of the application.
    var readsPaused = false
    let receiveBuffer: Int
    var output: OutputBuffer
    /// Set when the session must end; the machine then moves to closed.
    var end: SessionEnd?

    /// The dialer's hold: output up to `releasedByteCount` (its last handshake frame) may go; the
    /// rest waits for the listener's first frame or `deadline`.
    struct OutputHold: Sendable {
        var releasedByteCount: Int
        let deadline: Duration
    }

    /// The session begins: the multiplexer is set up for the negotiated features, keepalive sends
    /// its first PING (held back for a dialer), and the application learns who the remote is.
    init(session: EstablishedSession, handshaking: HandshakingState, now: SessionTime, actions: inout [SessionAction]) {
        let configuration = handshaking.configuration
        let features = SessionFeatures(
            local: configuration.handshake.capabilities,
            remote: session.remoteHello.capabilities
        )
        info = EstablishedSessionInfo(
            localPrincipal: session.localPrincipal,
            remotePrincipal: session.remotePrincipal,
            sessionID: session.sessionID,
            handshakeHash: session.handshakeHash,
            features: features,
            noiseSchedule: session.noiseSchedule,
            remoteAliasCard: session.remoteAliasCard,
            observedAddress: session.observedAddress
        )
        cipher = session.cipher
        multiplexer = StreamMultiplexer(
            role: session.role == .initiator ? .dialer : .listener,
            configuration: StreamMultiplexerConfiguration(
                maximumConcurrentStreams: configuration.maximumStreams,
                flowControl: features.isFlowControlled ? configuration.flowControl : nil
            )
        )
        keepalive = KeepaliveStateMachine(configuration: configuration.keepalive)
        receiveBuffer = configuration.receiveBuffer
        output = handshaking.output
        if session.mustWaitForPeerBeforeSending {
            hold = OutputHold(releasedByteCount: output.count, deadline: now.uptime + configuration.holdGracePeriod)
        }
        actions.append(.established(info))
        for action in keepalive.start(now: now.unixSeconds) { perform(action) }
        updateKeepaliveDeadline(now: now)
    }

    // MARK: - Frames from the remote

    /// Decrypts and handles one session frame. A frame that fails to decrypt ends the session:
    /// the reference skips it and drifts out of nonce step; we treat it as an attack.
    mutating func receive(frame: UnsafeRawBufferPointer, now: SessionTime, actions: inout [SessionAction]) {
        let message: ControlMessage
        do {
            message = try cipher.open(frame)
        } catch {
            switch error {
            case .undecodableMessage:
                // Unknown types are dropped, as the reference does: room for extensions.
                releaseHold()
            case .decryptFailed, .channelBroken:
                fail(.authFailed, "a frame failed to decrypt")
            case .nonceExhausted:
                fail(.connectionClosed, "nonce space exhausted")
            }
            return
        }
        releaseHold()
        switch message {
        case .ping(let seq, _):
            perform(keepalive.receivedPing(seq: seq, now: now.unixSeconds))
        case .pong(let seq, _):
            _ = keepalive.receivedPong(seq: seq, now: now.unixSeconds)
            updateKeepaliveDeadline(now: now)
        case .error(let code, let reason):
            end = SessionEnd(.session, code: code, reason: reason)
        case .openStream, .closeStream, .streamData, .windowUpdate:
            receiveStreamMessage(message, actions: &actions)
        case .hello, .auth, .authOK, .authFail, .knock, .knockResponse:
            return  // handshake messages have no meaning inside a session
        }
    }

    // MARK: - Time

    mutating func tick(now: SessionTime, actions: inout [SessionAction]) {
        if let hold, now.uptime >= hold.deadline { releaseHold() }
        if let keepaliveDeadline, now.uptime >= keepaliveDeadline {
            for action in keepalive.tick(now: now.unixSeconds) { perform(action) }
            updateKeepaliveDeadline(now: now)
        }
    }

    var nextDeadline: Duration? {
        switch (hold?.deadline, keepaliveDeadline) {
        case let (hold?, keepalive?): min(hold, keepalive)
        case let (hold, keepalive): hold ?? keepalive
        }
    }

    private mutating func perform(_ action: KeepaliveStateMachine.Action) {
        switch action {
        case .sendPing(let seq, let timestamp):
            send(.ping(seq: seq, timestamp: timestamp))
        case .sendPong(let seq, let timestamp):
            send(.pong(seq: seq, timestamp: timestamp))
        case .timedOut(let seq):
            fail(.timeout, "no PONG for PING \(seq)")
        }
    }

    /// Keepalive counts wall-clock seconds; its next deadline is moved onto the uptime clock, and
    /// never less than a second ahead, so a wall clock that jumps cannot make the timer spin.
    private mutating func updateKeepaliveDeadline(now: SessionTime) {
        guard let deadline = keepalive.nextDeadline else {
            keepaliveDeadline = nil
            return
        }
        let seconds = deadline > now.unixSeconds ? deadline - now.unixSeconds : 1
        keepaliveDeadline = now.uptime + .seconds(Int64(clamping: seconds))
    }

    // MARK: - Output

    /// Seals a control message into the output.
    mutating func send(_ message: ControlMessage) {
        guard end == nil else { return }
        do {
            try output.withBytes { bytes throws(SessionCipherError) in try cipher.sealFrame(message, appendingTo: &bytes) }
        } catch {
            fail(.connectionClosed, "nonce space exhausted")
        }
    }

    mutating func takeOutput(_ body: (UnsafeRawBufferPointer) -> Void) {
        if var hold {
            output.take(upTo: hold.releasedByteCount, body)
            hold.releasedByteCount = 0
            self.hold = hold
        } else {
            output.take(upTo: nil, body)
        }
    }

    /// The listener spoke (or the grace period ran out): everything held may go.
    private mutating func releaseHold() {
        hold = nil
    }

    // MARK: - Ending

    /// Closes from the application: an ERROR with `code` tells the remote why (none for `ok`).
    mutating func close(code: ProtocolErrorCode?) {
        releaseHold()
        if let code, code != .ok { send(.error(code: code, reason: nil)) }
        end = SessionEnd(.session, code: nil, reason: nil)
    }

    /// Ends the session because of a failure on our side or the remote's.
    mutating func fail(_ code: ProtocolErrorCode, _ reason: String) {
        if end == nil { end = SessionEnd(.session, code: code, reason: reason) }
    }
}
