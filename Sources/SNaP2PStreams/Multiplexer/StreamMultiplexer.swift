import SNaP2PWire

/// The stream layer of one session as a pure value: it takes control messages and local
/// requests and returns the control messages to send and the events to deliver. No I/O, no
/// clocks, no buffering of stream data: the owner holds bytes, this holds the rules.
///
/// Shaped after swift-nio-ssh's child channels: per-stream state (``StreamState``), credit we
/// hold (``OutboundWindow``) and credit we grant (``InboundWindow``) are separate small types.
///
/// Refusals, as the reference sends them where it has a rule: OPEN_STREAM for an id in use gets
/// CLOSE_STREAM `ec` 9; for an id of our own parity, `ec` 15 (INVALID_MESSAGE: the peer broke the
/// parity rule, the id is not merely taken); over the stream limit, `ec` 20 (STREAM_REFUSED; the
/// reference sends 16, which we surface as a reset just the same); STREAM_DATA for an unknown id,
/// `ec` 10, except for streams we reset ourselves, whose in-flight data is dropped quietly;
/// WINDOW_UPDATE for an id never opened, `ec` 10 (for a stream that already ended it is ignored:
/// it raced with the end). A CLOSE_STREAM is never answered.
///
/// Rule breaks reset the stream: data after the peer's fin, `ec` 11 (STREAM_CLOSED); with flow
/// control, data beyond the granted window, `ec` 14 (MESSAGE_TOO_LARGE); credit past `Int.max`,
/// `ec` 15. A stream is removed once it is reset, or both sides sent fin and the application
/// consumed every byte.
package struct StreamMultiplexer: Sendable {
    /// Which ids this side opens.
    package let role: StreamRole
    /// Limits and options.
    package let configuration: StreamMultiplexerConfiguration

    private var streams: [StreamID: StreamState] = [:]
    /// The id our next stream gets; nil once the id space is used up.
    private var nextLocalID: StreamID?
    /// The highest id the peer has opened, to tell late messages for old streams from nonsense.
    private var highestRemoteID: StreamID?
    private var recentlyReset = RecentlyResetStreams(capacity: 1024)
    /// The sum of all streams' inbound window sizes, held within the session budget.
    private var totalInboundWindow = 0

    /// Data delivered in ``MultiplexerEvent/data(_:_:)`` events but not yet reported consumed,
    /// over all streams. Without flow control the transport pauses socket reads while this is
    /// high: that is the only backpressure a reference peer understands.
    package private(set) var bufferedByteCount = 0

    /// A multiplexer for a freshly established session.
    package init(role: StreamRole, configuration: StreamMultiplexerConfiguration = .init()) {
        self.role = role
        self.configuration = configuration
        self.nextLocalID = role.firstStreamID
    }

    /// Streams open in at least one direction, ours and the peer's.
    package var openStreamCount: Int { streams.count }

    /// Whether `id` is open.
    package func isOpen(_ id: StreamID) -> Bool { streams[id] != nil }

    /// Bytes we may still send on `id` before the peer grants more; nil without flow control
    /// or for an unknown stream.
    package func sendCredit(for id: StreamID) -> Int? { streams[id]?.outbound?.credit }

    /// The receive window of `id` (grows with auto-tuning); nil without flow control or for an
    /// unknown stream.
    package func receiveWindowSize(for id: StreamID) -> Int? { streams[id]?.inbound?.size }

    /// Opens a stream with the next id of our parity. Data may be written at once.
    package mutating func openStream(label: String? = nil) throws(StreamMultiplexerError) -> (StreamID, [ControlMessage]) {
        guard streams.count < configuration.maximumConcurrentStreams else { throw .tooManyStreams }
        guard let id = nextLocalID else { throw .streamIDsExhausted }
        let (next, overflow) = id.addingReportingOverflow(2)
        nextLocalID = overflow ? nil : next
        addStream(id)
        return (id, [.openStream(streamID: id, label: label)])
    }

    /// Plans the next STREAM_DATA of a pending write of `pendingByteCount` bytes (to be followed
    /// by fin when `fin`): how many bytes go in it — at most one chunk and, with flow control, at
    /// most the peer's credit, which this takes — and whether it carries fin. Returns nil when
    /// nothing can go now (nothing pending, or the window is shut: wait for
    /// ``MultiplexerEvent/windowOpened(_:)``). The data path uses this with
    /// `ControlMessage.encodeStreamData` to avoid copying; ``write(_:on:fin:)`` is built on it.
    package mutating func nextChunk(
        on id: StreamID,
        pendingByteCount: Int,
        fin: Bool
    ) throws(StreamMultiplexerError) -> OutboundChunk? {
        guard var stream = streams[id] else { throw .unknownStream(id) }
        guard !stream.isLocalFinished else { throw .alreadyFinished(id) }
        let wanted = min(max(pendingByteCount, 0), configuration.maximumChunkLength)
        let byteCount = stream.outbound?.take(upTo: wanted) ?? wanted
        let carriesFin = fin && byteCount == pendingByteCount
        if carriesFin { stream.isLocalFinished = true }
        store(stream, id)
        guard byteCount > 0 || carriesFin else { return nil }
        return OutboundChunk(byteCount: byteCount, fin: carriesFin)
    }

    /// Sends as much of `data` as chunking and the peer's window allow, then fin if asked and
    /// everything went. Keep the rest and write it again after ``MultiplexerEvent/windowOpened(_:)``.
    package mutating func write(
        _ data: ArraySlice<UInt8>,
        on id: StreamID,
        fin: Bool = false
    ) throws(StreamMultiplexerError) -> WriteOutcome {
        var messages: [ControlMessage] = []
        var offset = data.startIndex
        while let chunk = try nextChunk(on: id, pendingByteCount: data.endIndex - offset, fin: fin) {
            let end = offset + chunk.byteCount
            messages.append(.streamData(streamID: id, data: Array(data[offset..<end]), fin: chunk.fin))
            offset = end
            if chunk.fin { break }
        }
        let accepted = offset - data.startIndex
        return WriteOutcome(acceptedByteCount: accepted, messages: messages, isBlocked: accepted < data.count)
    }

    /// ``write(_:on:fin:)`` for a whole array.
    package mutating func write(_ data: [UInt8], on id: StreamID, fin: Bool = false) throws(StreamMultiplexerError) -> WriteOutcome {
        try write(data[...], on: id, fin: fin)
    }

    /// Ends our write side: an empty STREAM_DATA with fin, as the reference ends streams.
    package mutating func finish(_ id: StreamID) throws(StreamMultiplexerError) -> [ControlMessage] {
        try write([], on: id, fin: true).messages
    }

    /// Aborts a stream in both directions with `code` (the reference uses 17 for local aborts).
    /// Data the peer already sent is dropped quietly when it arrives. Nothing is sent for a
    /// stream that is already gone.
    package mutating func reset(_ id: StreamID, code: ProtocolErrorCode) -> [ControlMessage] {
        guard removeStream(id) else { return [] }
        recentlyReset.insert(id)
        return [.closeStream(streamID: id, code: code)]
    }

    /// Reports that the application took `byteCount` bytes of `id`'s data. With flow control this
    /// returns a WINDOW_UPDATE once enough was consumed; it also completes a stream whose both
    /// directions finished.
    package mutating func consumed(_ id: StreamID, byteCount: Int) -> [ControlMessage] {
        guard var stream = streams[id] else { return [] }
        let count = min(max(byteCount, 0), stream.backlog)
        stream.backlog -= count
        bufferedByteCount -= count
        var messages: [ControlMessage] = []
        if !stream.isRemoteFinished, var inbound = stream.inbound {
            let sizeBefore = inbound.size
            if let credit = inbound.creditToReturn(backlog: stream.backlog, growthAllowance: growthAllowance(from: sizeBefore)) {
                messages.append(.windowUpdate(streamID: id, credit: UInt64(credit)))
            }
            totalInboundWindow += inbound.size - sizeBefore
            stream.inbound = inbound
        }
        store(stream, id)
        return messages
    }
}

// MARK: - Bookkeeping shared with receiving

extension StreamMultiplexer {
    mutating func addStream(_ id: StreamID) {
        streams[id] = StreamState(flowControl: configuration.flowControl != nil)
        if configuration.flowControl != nil { totalInboundWindow += FlowControl.initialWindowSize }
    }

    /// Saves a stream's new state, or drops it once it is complete.
    mutating func store(_ stream: StreamState, _ id: StreamID) {
        streams[id] = stream
        if stream.isComplete { removeStream(id) }
    }

    func streamState(_ id: StreamID) -> StreamState? { streams[id] }

    mutating func addBuffered(_ byteCount: Int) { bufferedByteCount += byteCount }

    /// Forgets a stream and what it held; false when it was not open.
    @discardableResult
    mutating func removeStream(_ id: StreamID) -> Bool {
        guard let stream = streams.removeValue(forKey: id) else { return false }
        bufferedByteCount -= stream.backlog
        totalInboundWindow -= stream.inbound?.size ?? 0
        return true
    }

    /// How much a window of `size` may grow now: within the stream ceiling and the session budget.
    func growthAllowance(from size: Int) -> Int {
        guard let flowControl = configuration.flowControl, flowControl.isAutoTuningEnabled else { return 0 }
        return max(0, min(flowControl.maximumWindowSize - size, flowControl.sessionWindowBudget - totalInboundWindow))
    }

    /// Whether `id` was ever opened, so late messages for finished streams are told from nonsense.
    func wasOpened(_ id: StreamID) -> Bool {
        if role.opens(id) {
            guard let nextLocalID else { return true }
            return id < nextLocalID
        }
        guard let highestRemoteID else { return false }
        return id <= highestRemoteID
    }

    mutating func noteRemoteOpen(_ id: StreamID) {
        highestRemoteID = max(highestRemoteID ?? id, id)
    }

    func wasResetLocally(_ id: StreamID) -> Bool { recentlyReset.contains(id) }

    mutating func resetForViolation(_ id: StreamID, code: ProtocolErrorCode) -> [MultiplexerEvent] {
        let messages = reset(id, code: code)
        return [.reset(id, code)] + messages.map(MultiplexerEvent.send)
    }
}

/// One planned STREAM_DATA.
package struct OutboundChunk: Sendable, Hashable {
    /// Data bytes in it (0 for a bare fin).
    package var byteCount: Int
    /// Whether it carries `f: true`.
    package var fin: Bool
}

/// The result of ``StreamMultiplexer/write(_:on:fin:)``.
package struct WriteOutcome: Sendable, Equatable {
    /// Leading bytes of the data that went out; the caller keeps the rest.
    package var acceptedByteCount: Int
    /// STREAM_DATA messages to send, in order.
    package var messages: [ControlMessage]
    /// The peer's window stopped the write short; continue after ``MultiplexerEvent/windowOpened(_:)``.
    package var isBlocked: Bool
}
