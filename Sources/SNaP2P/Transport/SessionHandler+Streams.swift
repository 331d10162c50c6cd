import NIOCore
import SNaP2PStreams
import SNaP2PWire

/// The bytes and waiters of one stream, which the pure multiplexer leaves to its owner.
final class StreamRecord {
    /// One `write` or `finish` call waiting to be sealed into frames.
    struct PendingWrite {
        var bytes: [UInt8]
        var offset = 0
        var fin: Bool
        /// Only writers that waited (past the gate's limit) and `finish()` have one.
        var promise: EventLoopPromise<Void>?
    }

    let id: StreamID
    let queue: InboundByteQueue
    let gate: StreamWriteGate
    let isLocallyOpened: Bool
    var pendingWrites = CircularBuffer<PendingWrite>()
    /// After `finish()` or `close()`: further writes throw.
    var isWriteClosed = false

    init(id: StreamID, queue: InboundByteQueue, gate: StreamWriteGate, isLocallyOpened: Bool) {
        self.id = id
        self.queue = queue
        self.gate = gate
        self.isLocallyOpened = isLocallyOpened
    }

    /// Fails every waiting write, refuses later ones, and ends the inbound bytes.
    func terminate(reading readError: SNaP2PError?, writing writeError: SNaP2PError) {
        isWriteClosed = true
        gate.close(writeError)
        while let pending = pendingWrites.popFirst() {
            gate.release(pending.bytes.count - pending.offset)
            pending.promise?.fail(writeError)
        }
        queue.finish(throwing: readError)
    }
}

extension SessionHandler {
    // MARK: - Requests from the app

    func openStream(label: String?, promise: EventLoopPromise<SNaP2PStream>) {
        guard phase == .established, multiplexer != nil else {
            promise.fail(terminalError ?? .connectionClosed(code: .connectionClosed, reason: nil))
            return
        }
        let id: StreamID
        let messages: [ControlMessage]
        do {
            (id, messages) = try multiplexer!.openStream(label: label)
        } catch {
            promise.fail(SNaP2PError.streamRefused(code: .streamRefused))
            return
        }
        let stream = addStream(id, label: label, isLocallyOpened: true)
        guard let context else { return }
        for message in messages { sendControl(message, context: context) }
        flushOutput(context: context)
        promise.succeed(stream)
    }

    func write(_ bytes: [UInt8], streamID id: StreamID, promise: EventLoopPromise<Void>?) {
        enqueue(StreamRecord.PendingWrite(bytes: bytes, fin: false, promise: promise), on: id)
    }

    func finish(streamID id: StreamID, promise: EventLoopPromise<Void>) {
        enqueue(StreamRecord.PendingWrite(bytes: [], fin: true, promise: promise), on: id)
        streamRecords[id]?.isWriteClosed = true
    }

    /// CLOSE_STREAM from the app: ends both directions; a `code` reaches the remote as an error.
    func closeStream(_ id: StreamID, code: ProtocolErrorCode?) {
        guard let record = streamRecords.removeValue(forKey: id) else { return }
        readyStreams.removeAll { $0 == id }
        let local = SNaP2PError.streamClosed(code: code ?? .streamClosed)
        record.terminate(reading: code.map { SNaP2PError.streamClosed(code: $0) }, writing: local)
        guard let context, multiplexer != nil else { return }
        for message in multiplexer!.reset(id, code: code ?? .ok) { sendControl(message, context: context) }
        flushOutput(context: context)
    }

    /// The app dropped its last reference: a stream still open is aborted so it cannot leak.
    func streamReleased(_ id: StreamID) {
        guard streamRecords[id] != nil else { return }
        if multiplexer?.isOpen(id) == true {
            closeStream(id, code: .internalError)
        } else {
            streamRecords.removeValue(forKey: id)
        }
    }

    /// The app read `byteCount` bytes of `id`: credit flows back (fc1), and socket reads resume
    /// when the backlog has drained (peers without fc1).
    func consumed(_ id: StreamID, byteCount: Int) {
        guard phase == .established, multiplexer != nil, let context else { return }
        let messages = multiplexer!.consumed(id, byteCount: byteCount)
        for message in messages { sendControl(message, context: context) }
        if !multiplexer!.isOpen(id), let record = streamRecords[id], record.pendingWrites.isEmpty {
            streamRecords.removeValue(forKey: id)
        }
        resumeReadsIfDrained(context: context)
        flushOutput(context: context)
    }

    // MARK: - Messages from the remote

    func streamMessage(_ message: ControlMessage, context: ChannelHandlerContext) {
        guard multiplexer != nil else { return }
        for event in multiplexer!.receive(message) {
            switch event {
            case .streamOpened(let id, let label):
                let stream = addStream(id, label: label, isLocallyOpened: false)
                incoming?.yield(stream)
            case .data(let id, let bytes):
                streamRecords[id]?.queue.append(bytes)
            case .remoteFinished(let id):
                streamRecords[id]?.queue.finish()
            case .reset(let id, let code):
                remoteReset(id, code: code)
            case .windowOpened(let id):
                markReady(id)
            case .send(let reply):
                sendControl(reply, context: context)
            }
        }
        pauseReadsIfBacklogged()
        pumpStreams(context: context)
    }

    private func remoteReset(_ id: StreamID, code: ProtocolErrorCode?) {
        guard let record = streamRecords.removeValue(forKey: id) else { return }
        readyStreams.removeAll { $0 == id }
        let error: SNaP2PError
        switch code {
        case let code? where record.isLocallyOpened && Self.refusalCodes.contains(code):
            error = .streamRefused(code: code)
        case let code? where code != .ok:
            error = .streamClosed(code: code)
        default:
            // A clean CLOSE_STREAM: the reader sees the end, a writer that is still writing an error.
            record.terminate(reading: nil, writing: .streamClosed(code: .streamClosed))
            return
        }
        record.terminate(reading: error, writing: error)
    }

    /// Codes with which a remote turns down our OPEN_STREAM (the reference sends 16, the spec 20).
    private static let refusalCodes: Set<ProtocolErrorCode> = [.streamRefused, .resourceExhausted, .streamIDInUse]

    // MARK: - Sending

    private func addStream(_ id: StreamID, label: String?, isLocallyOpened: Bool) -> SNaP2PStream {
        let link = self.link!
        let queue = InboundByteQueue { byteCount in
            link.execute { $0.consumed(id, byteCount: byteCount) }
        }
        let gate = StreamWriteGate(limit: Self.streamWriteBuffer)
        streamRecords[id] = StreamRecord(id: id, queue: queue, gate: gate, isLocallyOpened: isLocallyOpened)
        return SNaP2PStream(id: id, label: label, link: link, queue: queue, gate: gate)
    }

    /// Bytes a stream's writers may have waiting before they are held back.
    static let streamWriteBuffer = 512 * 1024

    private func enqueue(_ write: StreamRecord.PendingWrite, on id: StreamID) {
        guard phase == .established, let record = streamRecords[id], !record.isWriteClosed else {
            // The gate already refuses further writes; this one never counted as waiting for long.
            streamRecords[id]?.gate.release(write.bytes.count)
            write.promise?.fail(terminalError ?? SNaP2PError.streamClosed(code: .streamClosed))
            return
        }
        record.pendingWrites.append(write)
        markReady(id)
        guard let context else { return }
        pumpStreams(context: context)
        flushOutput(context: context)
    }

    private func markReady(_ id: StreamID) {
        if !readyStreams.contains(id) { readyStreams.append(id) }
    }

    /// Seals pending writes into frames, a chunk at a time and stream after stream, while the
    /// channel is writable and the remote's windows allow; streams with a shut window wait for
    /// its WINDOW_UPDATE. A write's promise completes when its last byte is sealed.
    func pumpStreams(context: ChannelHandlerContext) {
        guard phase == .established, !holdingOutput, multiplexer != nil else { return }
        while context.channel.isWritable, let id = readyStreams.popFirst() {
            guard let record = streamRecords[id] else { continue }
            var blocked = false
            for _ in 0..<Self.chunksPerTurn {
                guard var pending = record.pendingWrites.first else { break }
                let chunk: OutboundChunk?
                do {
                    chunk = try multiplexer!.nextChunk(
                        on: id,
                        pendingByteCount: pending.bytes.count - pending.offset,
                        fin: pending.fin
                    )
                } catch {
                    let failed = record.pendingWrites.removeFirst()
                    record.gate.release(failed.bytes.count - failed.offset)
                    failed.promise?.fail(SNaP2PError.streamClosed(code: .streamClosed))
                    continue
                }
                guard let chunk else {
                    blocked = true
                    break
                }
                let end = pending.offset + chunk.byteCount
                do {
                    try cipher!.sealStreamDataFrame(
                        streamID: id,
                        data: pending.bytes[pending.offset..<end],
                        fin: chunk.fin,
                        appendingTo: &output
                    )
                } catch {
                    fail(.connectionClosed(code: .connectionClosed, reason: "nonce space exhausted"), context: context)
                    return
                }
                pending.offset = end
                record.gate.release(chunk.byteCount)
                if end == pending.bytes.count && (chunk.fin || !pending.fin) {
                    record.pendingWrites.removeFirst().promise?.succeed()
                } else {
                    record.pendingWrites[record.pendingWrites.startIndex] = pending
                }
                if output.count >= Self.outputBatchSize { writeOutput(context: context) }
                guard context.channel.isWritable else { break }
            }
            if !blocked && !record.pendingWrites.isEmpty { readyStreams.append(id) }
            if !multiplexer!.isOpen(id) && record.pendingWrites.isEmpty && record.isWriteClosed {
                // Both directions done and nothing left to deliver: the multiplexer forgot it.
                streamRecords.removeValue(forKey: id)
            }
        }
    }

    /// How many chunks one stream may seal before the next ready stream gets a turn.
    static let chunksPerTurn = 4

    // MARK: - Read pausing for peers without fc1

    private func pauseReadsIfBacklogged() {
        guard !streamsFlowControlled, let buffered = multiplexer?.bufferedByteCount else { return }
        if buffered > settings.receiveBuffer { readsPaused = true }
    }

    private func resumeReadsIfDrained(context: ChannelHandlerContext) {
        guard readsPaused, let buffered = multiplexer?.bufferedByteCount,
              buffered <= settings.receiveBuffer / 2 else { return }
        readsPaused = false
        if readPending {
            readPending = false
            context.read()
        }
    }
}
