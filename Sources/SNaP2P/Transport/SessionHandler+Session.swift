import NIOCore
import SNaP2PSession
import SNaP2PWire

extension SessionHandler {
    /// Decrypts and dispatches one session frame. A frame that fails to decrypt ends the session:
    /// unlike the reference, which skips it and drifts out of nonce step, we treat it as an attack.
    func sessionFrame(_ frame: ByteBuffer, context: ChannelHandlerContext) {
        let message: ControlMessage
        do {
            message = try cipher!.open(frame.readableBytesView)
        } catch {
            switch error {
            case .undecodableMessage(let decodingError):
                // Unknown types are dropped, as the reference does: room for extensions.
                logger.debug("ignoring an undecodable message", metadata: ["error": "\(decodingError)"])
                releaseHeldOutput(context: context)
                return
            case .decryptFailed, .channelBroken:
                fail(.connectionClosed(code: .authFailed, reason: "a frame failed to decrypt"), context: context)
            case .nonceExhausted:
                fail(.connectionClosed(code: .connectionClosed, reason: "nonce space exhausted"), context: context)
            }
            return
        }
        releaseHeldOutput(context: context)
        switch message {
        case .ping(let seq, _):
            guard let keepalive else { return }
            let pong = keepalive.machine.receivedPing(seq: seq, now: WallClock.unixSeconds())
            if case .sendPong(let seq, let timestamp) = pong {
                sendControl(.pong(seq: seq, timestamp: timestamp), context: context)
            }
        case .pong(let seq, _):
            _ = keepalive?.machine.receivedPong(seq: seq, now: WallClock.unixSeconds())
        case .error(let code, let reason):
            fail(.connectionClosed(code: code, reason: reason), context: context)
        case .openStream, .closeStream, .streamData, .windowUpdate:
            streamMessage(message, context: context)
        case .hello, .auth, .authOK, .authFail, .knock, .knockResponse:
            logger.debug("ignoring a handshake message inside the session")
        }
    }

    /// Seals a control message into the output batch, or holds it while the dialer must wait.
    func sendControl(_ message: ControlMessage, context: ChannelHandlerContext) {
        guard phase == .established else { return }
        if holdingOutput {
            heldMessages.append(message)
            return
        }
        do {
            try cipher!.sealFrame(message, appendingTo: &output)
        } catch {
            fail(.connectionClosed(code: .connectionClosed, reason: "nonce space exhausted"), context: context)
            return
        }
        if output.count >= Self.outputBatchSize { writeOutput(context: context) }
    }

    /// How long a dialer waits for the listener's first frame before sending anyway. The
    /// reference listener PINGs at once, so this only matters for peers that never speak first.
    static let holdGracePeriod = TimeAmount.seconds(2)

    /// Starts the dialer's hold (PROTOCOL.md §6) with its deadline.
    func holdOutputUntilPeerSpeaks(context: ChannelHandlerContext) {
        holdingOutput = true
        holdDeadline = context.eventLoop.assumeIsolated().scheduleTask(in: Self.holdGracePeriod) { [self] in
            guard phase == .established, let context = self.context else { return }
            logger.debug("the listener sent nothing after AUTH_OK; sending anyway")
            releaseHeldOutput(context: context)
            flushOutput(context: context)
        }
    }

    /// The listener's first frame arrived (or the grace period ran out): what the dialer held
    /// back may go now.
    private func releaseHeldOutput(context: ChannelHandlerContext) {
        guard holdingOutput else { return }
        holdingOutput = false
        holdDeadline?.cancel()
        holdDeadline = nil
        let held = heldMessages
        heldMessages.removeAll()
        for message in held { sendControl(message, context: context) }
        pumpStreams(context: context)
    }

    // MARK: - Keepalive

    /// Sends the first PING (held back for a dialer until the listener spoke) and arms the timer.
    func startKeepalive(context: ChannelHandlerContext) {
        let interval = Self.wholeSeconds(settings.keepalive.interval)
        let timeout = Self.wholeSeconds(settings.keepalive.timeout)
        var machine = KeepaliveStateMachine(configuration: .init(interval: interval, timeout: timeout))
        let actions = machine.start(now: WallClock.unixSeconds())
        keepalive = KeepaliveState(machine: machine)
        performKeepalive(actions, context: context)
        scheduleKeepalive(context: context)
    }

    private func scheduleKeepalive(context: ChannelHandlerContext) {
        guard let deadline = keepalive?.machine.nextDeadline else { return }
        let now = WallClock.unixSeconds()
        let delay = TimeAmount.seconds(Int64(deadline > now ? deadline - now : 1))
        keepalive?.timer = context.eventLoop.assumeIsolated().scheduleTask(in: delay) { [self] in
            guard phase == .established, let context = self.context, keepalive != nil else { return }
            let actions = keepalive!.machine.tick(now: WallClock.unixSeconds())
            performKeepalive(actions, context: context)
            scheduleKeepalive(context: context)
            flushOutput(context: context)
        }
    }

    private func performKeepalive(_ actions: [KeepaliveStateMachine.Action], context: ChannelHandlerContext) {
        for action in actions {
            switch action {
            case .sendPing(let seq, let timestamp):
                sendControl(.ping(seq: seq, timestamp: timestamp), context: context)
            case .sendPong(let seq, let timestamp):
                sendControl(.pong(seq: seq, timestamp: timestamp), context: context)
            case .timedOut(let seq):
                fail(.connectionClosed(code: .timeout, reason: "no PONG for PING \(seq)"), context: context)
                return
            }
        }
    }

    /// Keepalive counts in whole seconds; anything shorter rounds up to one.
    private static func wholeSeconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        return UInt64(max(1, seconds + (attoseconds > 0 ? 1 : 0)))
    }
}

/// The keepalive machine and its timer.
struct KeepaliveState {
    var machine: KeepaliveStateMachine
    var timer: Scheduled<Void>?

    func cancel() { timer?.cancel() }
}
