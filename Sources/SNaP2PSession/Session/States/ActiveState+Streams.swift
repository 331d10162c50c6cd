import DequeModule
import SNaP2PStreams
import SNaP2PWire

/// One stream as the session tracks it beside the multiplexer's rules: who opened it and the
/// writes waiting to be sealed.
struct SessionStream: Sendable {
    /// One `write` or `finish` waiting to be sealed into frames.
    struct PendingWrite: Sendable {
        var bytes: [UInt8]
        var offset = 0
        var fin: Bool
        var token: WriteToken?
    }

    let isLocallyOpened: Bool
    var pendingWrites = Deque<PendingWrite>()
    /// After a finish was queued (or the stream closed): later writes fail.
    var isWriteClosed = false
    /// The remote finished its side: it owes this stream nothing more.
    var isRemoteFinished = false
}

extension ActiveState {
    // MARK: - Requests from the application

    mutating func openStream(label: String?, actions: inout [SessionAction]) -> StreamID? {
        guard let (id, messages) = try? multiplexer.openStream(label: label) else { return nil }
        streams[id] = SessionStream(isLocallyOpened: true)
        messages.forEach { send($0) }
        return id
    }

    /// Queues a write; when the stream cannot be written the token fails at once.
    mutating func write(_ bytes: [UInt8], on id: StreamID, fin: Bool, token: WriteToken?, actions: inout [SessionAction]) {
        guard var stream = streams.removeValue(forKey: id) else {
            if let token { actions.append(.writeFailed(token, .unknown)) }
            return
        }
        defer { streams[id] = stream }
        guard !stream.isWriteClosed else {
            if let token { actions.append(.writeFailed(token, .closedLocally(nil))) }
            return
        }
        guard !bytes.isEmpty || fin else {
            if let token { actions.append(.writeCompleted(token)) }
            return
        }
        stream.pendingWrites.append(SessionStream.PendingWrite(bytes: bytes, fin: fin, token: token))
        if fin { stream.isWriteClosed = true }
        if stream.pendingWrites.count == 1 { ready.append(id) }
    }

    mutating func closeStream(_ id: StreamID, code: ProtocolErrorCode?, actions: inout [SessionAction]) {
        guard streams[id] != nil else { return }
        multiplexer.reset(id, code: code ?? .ok).forEach { send($0) }
        retire(id, .closedLocally(code), actions: &actions)
    }

    /// The application let go of the stream: what it never read is dropped; a stream still open
    /// in either direction is aborted (CLOSE_STREAM `INTERNAL`) so nothing leaks.
    mutating func streamReleased(_ id: StreamID, actions: inout [SessionAction]) {
        guard streams[id] != nil else { return }
        consumed(id, byteCount: .max, actions: &actions)
        closeStream(id, code: .internalError, actions: &actions)
    }

    mutating func consumed(_ id: StreamID, byteCount: Int, actions: inout [SessionAction]) {
        guard streams[id] != nil else { return }
        multiplexer.consumed(id, byteCount: byteCount).forEach { send($0) }
        retireIfComplete(id, actions: &actions)
        resumeReadsIfDrained(actions: &actions)
    }

    /// Whether the remote still owes bytes on some stream: a connection lost now cut a transfer off.
    var isAwaitingRemoteData: Bool {
        streams.values.contains { !$0.isRemoteFinished }
    }

    // MARK: - Messages from the remote

    mutating func receiveStreamMessage(_ message: ControlMessage, actions: inout [SessionAction]) {
        for event in multiplexer.receive(message) {
            switch event {
            case .streamOpened(let id, let label):
                streams[id] = SessionStream(isLocallyOpened: false)
                actions.append(.streamOpened(id, label: label))
            case .data(let id, let bytes):
                actions.append(.deliver(id, bytes))
            case .remoteFinished(let id):
                streams[id]?.isRemoteFinished = true
                actions.append(.inboundFinished(id))
                retireIfComplete(id, actions: &actions)
            case .reset(let id, let code):
                guard let stream = streams[id] else { continue }
                retire(id, Self.streamEnd(resetBy: message, code: code, isLocallyOpened: stream.isLocallyOpened), actions: &actions)
            case .windowOpened(let id):
                if streams[id]?.pendingWrites.isEmpty == false { ready.append(id) }
            case .send(let reply):
                send(reply)
            }
        }
        pauseReadsIfBacklogged(actions: &actions)
    }

    /// How a reset reads to the application: the remote's CLOSE_STREAM (a refusal when it answers
    /// our OPEN_STREAM), or our own reset after the remote broke a rule.
    private static func streamEnd(resetBy message: ControlMessage, code: ProtocolErrorCode?, isLocallyOpened: Bool) -> StreamEnd {
        guard case .closeStream = message else { return .violation(code ?? .internalError) }
        if let code, isLocallyOpened, refusalCodes.contains(code) { return .refusedByPeer(code) }
        return .closedByPeer(code)
    }

    /// Codes with which a remote turns down our OPEN_STREAM (the reference sends 16, the spec 20).
    private static let refusalCodes: Set<ProtocolErrorCode> = [.streamRefused, .resourceExhausted, .streamIDInUse]

    // MARK: - The end of a stream

    /// Retires a stream the multiplexer has completed (both sides finished, everything read).
    mutating func retireIfComplete(_ id: StreamID, actions: inout [SessionAction]) {
        guard streams[id] != nil, !multiplexer.isOpen(id) else { return }
        retire(id, .finished, actions: &actions)
    }

    /// The one place a stream leaves the session: its waiting writes fail, and the transport hears
    /// of its end last.
    private mutating func retire(_ id: StreamID, _ end: StreamEnd, actions: inout [SessionAction]) {
        guard let stream = streams.removeValue(forKey: id) else { return }
        for write in stream.pendingWrites {
            if let token = write.token { actions.append(.writeFailed(token, end)) }
        }
        actions.append(.streamEnded(id, end))
        resumeReadsIfDrained(actions: &actions)
    }

    // MARK: - Read pausing for remotes without fc1

    private mutating func pauseReadsIfBacklogged(actions: inout [SessionAction]) {
        guard !info.features.isFlowControlled, !readsPaused, multiplexer.bufferedByteCount > receiveBuffer else { return }
        readsPaused = true
        actions.append(.pauseReads)
    }

    private mutating func resumeReadsIfDrained(actions: inout [SessionAction]) {
        guard readsPaused, multiplexer.bufferedByteCount <= receiveBuffer / 2 else { return }
        readsPaused = false
        actions.append(.resumeReads)
    }
}
