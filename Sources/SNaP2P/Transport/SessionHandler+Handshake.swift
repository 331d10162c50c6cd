import NIOCore
import SNaP2PSession
import SNaP2PStreams
import SNaP2PWire

extension SessionHandler {
    /// Starts the handshake when the TCP connection is up: arms the handshake timeout and lets
    /// the machine send its first frame (KNOCK or Noise message 1 for a dialer).
    func start(context: ChannelHandlerContext) {
        guard phase == .waitingForActive else { return }
        phase = .handshaking
        handshakeTimeout = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(settings.handshakeTimeout)) { [self] in
            guard phase == .handshaking, let context = self.context else { return }
            fail(.handshakeFailed(code: .timeout, reason: "no handshake within \(settings.handshakeTimeout)"), context: context)
        }
        var machine = HandshakeStateMachine(configuration: settings.handshake)
        let actions = machine.start(now: WallClock.unixSeconds())
        handshake = machine
        perform(actions, context: context)
        flushOutput(context: context)
    }

    /// Feeds one handshake frame to the machine.
    func handshakeFrame(_ frame: ByteBuffer, context: ChannelHandlerContext) {
        guard var machine = handshake else { return }
        heardFromRemote = true
        handshake = nil
        let actions = machine.receive(frame: Array(frame.readableBytesView), now: WallClock.unixSeconds())
        handshake = machine
        perform(actions, context: context)
    }

    /// The remote hung up during the handshake: tell the machine (it wipes its secrets) and the dialer.
    func handshakeInterrupted(context: ChannelHandlerContext) {
        guard phase == .handshaking, var machine = handshake else { return }
        let error = machine.connectionClosed()
        handshake = nil
        guard terminalError == nil else { return }
        if settings.isDialer && !heardFromRemote && settings.handshake.inviteToken == nil {
            // A stealth listener hangs up on a dialer without a token and says nothing (PROTOCOL.md §7).
            terminalError = .handshakeFailed(
                code: error.code,
                reason: "the listener closed the connection without a word; a stealth listener needs an invite token"
            )
        } else {
            terminalError = .handshakeFailed(code: error.code, reason: "\(error.reason)")
        }
    }

    private func perform(_ actions: [HandshakeAction], context: ChannelHandlerContext) {
        for action in actions {
            switch action {
            case .send(let body):
                appendPlaintextFrame(body)
            case .established(let session):
                becomeEstablished(session, context: context)
            case .close(let error):
                logger.debug("handshake refused", metadata: ["code": "\(error.code)", "reason": "\(error.reason)"])
                fail(.handshakeFailed(code: error.code, reason: error.remoteReason ?? "\(error.reason)"), context: context)
                return
            }
        }
    }

    /// Switches the connection to the session: the cipher takes over from the handshake, the
    /// frame limit rises to 16 MiB, keepalive starts, and the connection is handed to the app.
    /// Bytes that arrived behind the last handshake frame are still in `received` and are read next.
    private func becomeEstablished(_ session: EstablishedSession, context: ChannelHandlerContext) {
        handshakeTimeout?.cancel()
        handshakeTimeout = nil
        handshake = nil
        phase = .established
        frameLimit = FramingLimits.maximumFrameLength
        cipher = session.cipher
        if session.mustWaitForPeerBeforeSending { holdOutputUntilPeerSpeaks(context: context) }
        let flowControlled = FlowControl.isNegotiated(
            localCapabilities: settings.handshake.capabilities,
            remoteCapabilities: session.remoteHello.capabilities
        )
        streamsFlowControlled = flowControlled
        multiplexer = StreamMultiplexer(
            role: settings.isDialer ? .dialer : .listener,
            configuration: StreamMultiplexerConfiguration(
                maximumConcurrentStreams: settings.maximumStreams,
                flowControl: flowControlled ? FlowControlConfiguration() : nil
            )
        )
        if logger.logLevel <= .debug { logger[metadataKey: "peer"] = "\(session.remotePrincipal)" }
        logger.debug("session established", metadata: ["fc1": "\(flowControlled)"])

        let (incomingStreams, continuation) = AsyncStream.makeStream(of: SNaP2PStream.self)
        incoming = continuation
        let connection = Connection(
            remotePrincipal: session.remotePrincipal,
            localPrincipal: session.localPrincipal,
            sessionID: session.sessionID,
            isFlowControlled: flowControlled,
            remoteAddress: context.channel.remoteAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" },
            link: link!,
            incoming: incomingStreams,
            closeFuture: closed.futureResult
        )
        startKeepalive(context: context)
        established.succeed(connection)
    }
}
