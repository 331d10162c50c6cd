import SNaP2PStreams
import SNaP2PWire

/// One connection's protocol, from the first handshake byte to the close, as a pure value: the
/// transport feeds it received bytes, application requests and timer ticks (with the time passed
/// in), and carries out the ``SessionAction``s it returns and the bytes it leaves in its output.
///
/// Shaped after swift-nio-ssh's `SSHConnectionStateMachine`: each state is an enum case carrying
/// its own struct (``HandshakingState``, ``ActiveState``), so nothing exists before it is valid.
/// Nothing here does I/O or reads a clock, so it runs over any byte stream — TCP through SwiftNIO
/// today, a relayed stream tomorrow — and is tested without sockets.
///
/// Callers never re-enter: actions are data, carried out after the call returns. Bytes delivered
/// to a reader are reported back with ``consumed(_:byteCount:actions:)`` once that reader took
/// them, which is how fc1 credit and read pausing learn about the application.
package struct SessionStateMachine: Sendable {
    private enum State: Sendable {
        case idle(SessionConfiguration)
        case handshaking(HandshakingState)
        case active(ActiveState)
        case closed(ClosedState)
        /// Only while a state's struct is out being mutated (see ``takeState()``).
        case transitioning
    }

    private var state: State
    /// Splits the received byte stream into frames; shared by every state.
    private var frames = FrameDecoder()

    /// A machine for a connection that is about to start; ``start(now:actions:)`` begins the handshake.
    package init(configuration: SessionConfiguration) {
        state = .idle(configuration)
    }

    // MARK: - Inputs from the transport

    /// The transport is connected: arms the handshake deadline and sends the first frame (a
    /// dialer's KNOCK or Noise message 1). `observedRemoteAddress`: the remote's address as the
    /// transport sees it, told to the remote under obs1 (none over a transport without addresses).
    package mutating func start(now: SessionTime, observedRemoteAddress: ObservedAddress? = nil, actions: inout [SessionAction]) {
        guard case .idle(let configuration) = state else { return }
        var handshaking = HandshakingState(configuration: configuration, now: now)
        let handshakeActions = handshaking.start(now: now, observedRemoteAddress: observedRemoteAddress)
        state = .handshaking(consume handshaking)
        perform(handshakeActions, now: now, actions: &actions)
    }

    /// Bytes received from the transport, in order. Whole frames are handled in place; only a
    /// frame split across calls is copied.
    package mutating func receive(_ bytes: UnsafeRawBufferPointer, now: SessionTime, actions: inout [SessionAction]) {
        var decoder = frames
        frames = FrameDecoder()
        defer { frames = decoder }
        var offset = 0
        while isReceiving {
            let location: FrameDecoder.Location?
            do {
                location = try decoder.nextFrame(in: bytes, offset: &offset)
            } catch {
                framingFailed(error, actions: &actions)
                return
            }
            switch location {
            case nil:
                return
            case .input(let range):
                receiveFrame(UnsafeRawBufferPointer(rebasing: bytes[range]), now: now, actions: &actions)
            case .buffered(let range):
                decoder.withBufferedBytes(range) { receiveFrame($0, now: now, actions: &actions) }
            }
            if case .active = state { decoder.maximumFrameLength = FramingLimits.maximumFrameLength }
        }
    }

    /// The transport ended (EOF) or failed; `error` names the cause in a few words ("connection
    /// reset by peer"). After AUTH_OK a remote that has nothing more to send may simply hang up (and
    /// a reset often carries that close, when our PING was still unread), so the end is clean unless
    /// a stream was still waiting for the remote's bytes: then the session ends with
    /// CONNECTION_CLOSED and the cause, as do its streams.
    package mutating func transportClosed(error: String? = nil, actions: inout [SessionAction]) {
        switch state {
        case .closed, .transitioning:
            return
        case .idle:
            let reason = error ?? "the connection closed before the handshake started"
            end(SessionEnd(.handshake, code: .connectionClosed, reason: reason), output: OutputBuffer(), actions: &actions)
        case .handshaking(var handshaking):
            end(handshaking.interrupted(transportError: error), output: handshaking.output, actions: &actions)
        case .active(let active):
            let reason = error ?? Self.closedByPeer
            let code: ProtocolErrorCode? = active.isAwaitingRemoteData ? .connectionClosed : nil
            end(SessionEnd(.session, code: code, reason: reason), output: active.output, actions: &actions)
        }
    }

    /// The reason of a session the remote ended with EOF (after AUTH_OK).
    private static let closedByPeer = "connection closed by peer"

    /// Time passed: the handshake deadline, the dialer's hold, keepalive.
    package mutating func tick(now: SessionTime, actions: inout [SessionAction]) {
        switch state {
        case .handshaking(let handshaking) where now.uptime >= handshaking.deadline:
            let timeout = handshaking.configuration.handshakeTimeout
            end(
                SessionEnd(.handshake, code: .timeout, reason: "no handshake within \(timeout)"),
                output: handshaking.output,
                actions: &actions
            )
        case .active:
            modifyActive(actions: &actions) { $0.tick(now: now, actions: &$1) }
        default:
            return
        }
    }

    /// When ``tick(now:actions:)`` next has something to do, on the uptime clock.
    package var nextDeadline: Duration? {
        switch state {
        case .handshaking(let handshaking): handshaking.deadline
        case .active(let active): active.nextDeadline
        case .idle, .closed, .transitioning: nil
        }
    }

    // MARK: - Inputs from the application

    /// Opens a stream; nil when the stream limit is reached or the session is not established.
    package mutating func openStream(label: String?, actions: inout [SessionAction]) -> StreamID? {
        modifyActive(actions: &actions) { $0.openStream(label: label, actions: &$1) } ?? nil
    }

    /// Queues `bytes` (then the end, with `fin`) on stream `id`. `token`, if given, comes back in
    /// ``SessionAction/writeCompleted(_:)`` or ``SessionAction/writeFailed(_:_:)``.
    package mutating func write(
        _ bytes: [UInt8],
        on id: StreamID,
        fin: Bool = false,
        token: WriteToken? = nil,
        actions: inout [SessionAction]
    ) {
        let queued: Void? = modifyActive(actions: &actions) { $0.write(bytes, on: id, fin: fin, token: token, actions: &$1) }
        if queued == nil, let token { actions.append(.writeFailed(token, .unknown)) }
    }

    /// Ends stream `id` in both directions (CLOSE_STREAM with `code`, or `ok` without).
    package mutating func closeStream(_ id: StreamID, code: ProtocolErrorCode?, actions: inout [SessionAction]) {
        modifyActive(actions: &actions) { $0.closeStream(id, code: code, actions: &$1) }
    }

    /// The application dropped its last reference to stream `id`: a stream still open is aborted.
    package mutating func streamReleased(_ id: StreamID, actions: inout [SessionAction]) {
        modifyActive(actions: &actions) { $0.streamReleased(id, actions: &$1) }
    }

    /// The application read `byteCount` delivered bytes of stream `id`.
    package mutating func consumed(_ id: StreamID, byteCount: Int, actions: inout [SessionAction]) {
        modifyActive(actions: &actions) { $0.consumed(id, byteCount: byteCount, actions: &$1) }
    }

    /// Seals queued stream data into the output until it holds about `budget` bytes or nothing
    /// more can go (windows shut, the dialer's hold). Call while the transport can take more.
    package mutating func sealPendingWrites(budget: Int, actions: inout [SessionAction]) {
        modifyActive(actions: &actions) { $0.sealPendingWrites(budget: budget, actions: &$1) }
    }

    /// Whether ``sealPendingWrites(budget:actions:)`` has anything to do.
    package var hasWritesReady: Bool {
        if case .active(let active) = state { active.hasWritesReady } else { false }
    }

    /// Closes the session: with a `code` other than `ok`, an ERROR message tells the remote why.
    package mutating func close(code: ProtocolErrorCode? = nil, actions: inout [SessionAction]) {
        switch state {
        case .idle:
            end(SessionEnd(.handshake, code: .connectionClosed, reason: "closed before it started"), output: OutputBuffer(), actions: &actions)
        case .handshaking(var handshaking):
            end(handshaking.abandon(), output: handshaking.output, actions: &actions)
        case .active:
            modifyActive(actions: &actions) { active, _ in active.close(code: code) }
        case .closed, .transitioning:
            return
        }
    }

    // MARK: - Output

    /// Hands the bytes ready to send to `body` and forgets them. A dialer's output after AUTH_OK
    /// stays here until the listener has spoken (PROTOCOL.md §6).
    package mutating func takeOutput(_ body: (UnsafeRawBufferPointer) -> Void) {
        switch takeState() {
        case .handshaking(var handshaking):
            handshaking.output.take(upTo: nil, body)
            state = .handshaking(consume handshaking)
        case .active(var active):
            active.takeOutput(body)
            state = .active(consume active)
        case .closed(var closed):
            closed.output.take(upTo: nil, body)
            state = .closed(consume closed)
        case let other:
            state = other
        }
    }

    /// Whether the session has ended.
    package var isClosed: Bool {
        if case .closed = state { true } else { false }
    }

    /// Stream bytes received and not yet consumed by the application (0 outside an active session).
    package var bufferedByteCount: Int {
        if case .active(let active) = state { active.multiplexer.bufferedByteCount } else { 0 }
    }

    /// The negotiated features once established.
    package var features: SessionFeatures? {
        if case .active(let active) = state { active.info.features } else { nil }
    }

    // MARK: - Internals

    private var isReceiving: Bool {
        switch state {
        case .handshaking, .active: true
        case .idle, .closed, .transitioning: false
        }
    }

    private mutating func receiveFrame(_ frame: UnsafeRawBufferPointer, now: SessionTime, actions: inout [SessionAction]) {
        switch state {
        case .handshaking:
            guard case .handshaking(var handshaking) = takeState() else { return }
            let handshakeActions = handshaking.receive(frame: frame, now: now)
            state = .handshaking(consume handshaking)
            perform(handshakeActions, now: now, actions: &actions)
        case .active:
            modifyActive(actions: &actions) { $0.receive(frame: frame, now: now, actions: &$1) }
        case .idle, .closed, .transitioning:
            return
        }
    }

    /// Carries out what the handshake asked for: frames to send, the switch to the session, or the end.
    private mutating func perform(_ handshakeActions: [HandshakeAction], now: SessionTime, actions: inout [SessionAction]) {
        for action in handshakeActions {
            guard case .handshaking = state, case .handshaking(var handshaking) = takeState() else { return }
            switch action {
            case .send(let body):
                handshaking.output.appendFrame(body)
                state = .handshaking(consume handshaking)
            case .established(let session):
                state = .active(ActiveState(session: session, handshaking: handshaking, now: now, actions: &actions))
            case .close(let error):
                let end = SessionEnd(.handshake, code: error.code, reason: error.remoteReason ?? "\(error.reason)")
                self.end(end, output: handshaking.output, actions: &actions)
                return
            }
        }
    }

    private mutating func framingFailed(_ error: FramingError, actions: inout [SessionAction]) {
        let reason = switch error {
        case .frameTooLarge(let length, let maximum): "frame of \(length) bytes over the \(maximum)-byte limit"
        case .lengthPrefixTooLong: "length prefix longer than 4 bytes"
        }
        switch state {
        case .handshaking(let handshaking):
            end(SessionEnd(.handshake, code: .messageTooLarge, reason: reason), output: handshaking.output, actions: &actions)
        case .active(let active):
            end(SessionEnd(.session, code: .messageTooLarge, reason: reason), output: active.output, actions: &actions)
        case .idle, .closed, .transitioning:
            return
        }
    }

    /// Runs `body` on the active state without copying it, then moves to closed if it ended the session.
    @discardableResult
    private mutating func modifyActive<Result>(
        actions: inout [SessionAction],
        _ body: (inout ActiveState, inout [SessionAction]) -> Result
    ) -> Result? {
        guard case .active = state, case .active(var active) = takeState() else { return nil }
        let result = body(&active, &actions)
        if let end = active.end {
            self.end(end, output: active.output, actions: &actions)
        } else {
            state = .active(consume active)
        }
        return result
    }

    /// Moves the state out, leaving ``State/transitioning`` behind. Binding a case's payload straight
    /// from `state` copies the whole struct (a retain of every buffer and key it holds) and later
    /// destroys the original; moved out, it is mutated in place and moved back.
    private mutating func takeState() -> State {
        var taken = State.transitioning
        swap(&taken, &state)
        return taken
    }

    private mutating func end(_ end: SessionEnd, output: OutputBuffer, actions: inout [SessionAction]) {
        state = .closed(ClosedState(output: output))
        actions.append(.close(end))
    }
}

/// After the end: only the output written before it remains, to be sent before the transport closes.
struct ClosedState: Sendable {
    var output: OutputBuffer
}
