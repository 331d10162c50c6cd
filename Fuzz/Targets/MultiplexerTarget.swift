import SNaP2PStreams
import SNaP2PWire

/// `StreamMultiplexer`, structure-aware: the input is read as a sequence of peer messages
/// (OPEN_STREAM, STREAM_DATA, CLOSE_STREAM, WINDOW_UPDATE, others) and local calls (open, write,
/// finish, reset, consumed) on a small set of stream ids, with `fc1` flow control on or off and
/// small limits, so refusals, windows and stream ends are all reached.
///
/// A model tracks each stream and checks: `bufferedByteCount` never negative and equal to the
/// data delivered but not consumed; the open streams are exactly the model's; nothing is
/// delivered after the peer's fin or after a reset (the stream is gone); no data is sent after our
/// fin; with `fc1`, we never send beyond the peer's credit, never accept beyond the credit we
/// granted (that resets with MESSAGE_TOO_LARGE), and credit plus unconsumed bytes stays within the
/// window; without it, no WINDOW_UPDATE and writes are never blocked; refusals carry the
/// documented codes; a reaction to a peer message is never data.
enum MultiplexerTarget {
    static let target = FuzzTarget("multiplexer") { bytes in
        var input = FuzzInput(bytes)
        var harness = MultiplexerHarness(&input)
        var steps = 0
        while !input.isExhausted && steps < 256 {
            harness.step(&input)
            harness.checkGlobal()
            steps += 1
        }
    }
}

struct MultiplexerHarness {
    /// What the model knows about one open stream.
    struct StreamModel {
        var backlog = 0
        var remoteFinished = false
        var localFinished = false
        /// Data bytes the peer sent us, and the credit we granted for them.
        var received = 0
        var granted = FlowControl.initialWindowSize
        /// Data bytes we sent, and the credit the peer granted.
        var sent = 0
        var credit = FlowControl.initialWindowSize

        var isComplete: Bool { localFinished && remoteFinished && backlog == 0 }
    }

    let role: StreamRole
    let configuration: StreamMultiplexerConfiguration
    var flowControl: Bool { configuration.flowControl != nil }
    var multiplexer: StreamMultiplexer
    var streams: [StreamID: StreamModel] = [:]
    /// Ids we reset (ourselves or for a rule break): late data for them is dropped quietly.
    var resetLocally: Set<StreamID> = []
    var nextLocalID: StreamID
    var highestRemoteID: StreamID?

    init(_ input: inout FuzzInput) {
        role = input.bool() ? .listener : .dialer
        let flowControl: FlowControlConfiguration? =
            input.bool()
            ? FlowControlConfiguration(
                maximumWindowSize: input.pick([256 * 1024, 512 * 1024, 16 * 1024 * 1024]),
                sessionWindowBudget: input.pick([0, 256 * 1024, 1024 * 1024, 64 * 1024 * 1024]),
                isAutoTuningEnabled: !input.bool())
            : nil
        configuration = StreamMultiplexerConfiguration(
            maximumConcurrentStreams: input.pick([1, 2, 3, 8, 100]),
            maximumChunkLength: input.pick([1, 7, 1024, 64 * 1024]),
            flowControl: flowControl)
        multiplexer = StreamMultiplexer(role: role, configuration: configuration)
        nextLocalID = role.firstStreamID
    }

    // MARK: - Choices

    mutating func streamID(_ input: inout FuzzInput) -> StreamID {
        let choice = input.byte()
        switch choice {
        case 0..<200: return StreamID(choice % 8)
        case 200..<232 where !streams.isEmpty: return streams.keys.sorted()[Int(choice) % streams.count]
        default: return [UInt64.max, UInt64.max - 1, 1 << 63, 1 << 32, nextLocalID][Int(choice) % 5]
        }
    }

    /// A length: small, in kilobytes, or the edge of a window (at most 1 MiB: the data is real).
    mutating func length(_ input: inout FuzzInput, edge: Int?) -> Int {
        switch input.int(in: 0...3) {
        case 1: return input.int(in: 0...63) * 1024
        case 2: if let edge { return min(max(0, edge + input.int(in: -2...2)), 1 << 20) } else { return 0 }
        default: return input.int(in: 0...255)
        }
    }

    mutating func code(_ input: inout FuzzInput) -> ProtocolErrorCode? {
        input.bool() ? ProtocolErrorCode(rawValue: UInt64(input.int(in: 0...21))) : nil
    }

    // MARK: - Steps

    mutating func step(_ input: inout FuzzInput) {
        switch input.int(in: 0...9) {
        case 0:
            let id = streamID(&input)
            let label: String? = input.bool() ? String(decoding: input.lengthPrefixedBytes(maximum: 8), as: UTF8.self) : nil
            receive(.openStream(streamID: id, label: label))
        case 1:
            let id = streamID(&input)
            let edge = streams[id].map { $0.granted - $0.received }
            let count = length(&input, edge: edge)
            receive(.streamData(streamID: id, data: [UInt8](repeating: input.byte(), count: count), fin: input.bool()))
        case 2:
            receive(.closeStream(streamID: streamID(&input), code: code(&input)))
        case 3:
            let id = streamID(&input)
            let credit: UInt64 = input.int(in: 0...7) == 7 ? input.pick([0, UInt64.max, UInt64(Int.max), 1 << 62]) : UInt64(length(&input, edge: nil))
            receive(.windowUpdate(streamID: id, credit: credit))
        case 4:
            receive(input.pick([.ping(seq: 1, timestamp: 2), .pong(seq: 1, timestamp: 2), .knockResponse(accepted: true), .error(code: .unknown, reason: nil)]))
        case 5:
            openLocally(label: input.bool() ? "x" : nil)
        case 6:
            let id = streamID(&input)
            let edge = streams[id].map { $0.credit - $0.sent }
            // At most 512 chunks per write: one-byte chunks of a 256 KiB window would be all the run does.
            let count = min(length(&input, edge: edge), 512 * configuration.maximumChunkLength)
            write(id, count: count, fin: input.bool())
        case 7:
            finish(streamID(&input))
        case 8:
            let id = streamID(&input)
            resetLocally(id, code: code(&input) ?? .internalError)
        default:
            let id = streamID(&input)
            let backlog = streams[id]?.backlog ?? 0
            consumed(id, byteCount: input.int(in: 0...3) == 3 ? input.pick([-1, Int.min, Int.max, backlog + 1]) : min(backlog, length(&input, edge: backlog)))
        }
    }

    /// A message from the peer, and the events it must cause.
    mutating func receive(_ message: ControlMessage) {
        let events = multiplexer.receive(message)
        for event in events {
            if case .send(let reply) = event {
                guard case .closeStream = reply else { return invariant(false, "reacted to \(message) by sending \(reply)") }
            }
        }
        switch message {
        case .openStream(let id, let label):
            let refusal: ProtocolErrorCode? =
                streams[id] != nil ? .streamIDInUse
                : role.opens(id) ? .invalidMessage
                : streams.count >= configuration.maximumConcurrentStreams ? .streamRefused : nil
            if let refusal {
                invariant(events == [.send(.closeStream(streamID: id, code: refusal))], "OPEN_STREAM \(id) gave \(events), expected refusal \(refusal)")
            } else {
                invariant(events == [.streamOpened(id, label: label)], "OPEN_STREAM \(id) gave \(events)")
                streams[id] = StreamModel()
                highestRemoteID = max(highestRemoteID ?? id, id)
            }
        case .streamData(let id, let data, let fin):
            receiveData(id, data: data, fin: fin, events: events)
        case .closeStream(let id, let code):
            if streams.removeValue(forKey: id) != nil {
                invariant(events == [.reset(id, code)], "CLOSE_STREAM \(id) gave \(events)")
            } else {
                invariant(events.isEmpty, "CLOSE_STREAM for unknown \(id) gave \(events)")
            }
        case .windowUpdate(let id, let credit):
            receiveWindowUpdate(id, credit: credit, events: events)
        default:
            invariant(events.isEmpty, "\(message) gave stream events \(events)")
        }
    }

    mutating func receiveData(_ id: StreamID, data: [UInt8], fin: Bool, events: [MultiplexerEvent]) {
        guard var stream = streams[id] else {
            let expected: [MultiplexerEvent] = resetLocally.contains(id) ? [] : [.send(.closeStream(streamID: id, code: .streamNotFound))]
            return invariant(events == expected, "STREAM_DATA for unknown \(id) gave \(events), expected \(expected)")
        }
        if stream.remoteFinished {
            return expectViolationReset(id, .streamClosed, events, "data after the peer's fin")
        }
        if flowControl && data.count > stream.granted - stream.received {
            return expectViolationReset(id, .messageTooLarge, events, "data beyond the granted window")
        }
        var expected: [MultiplexerEvent] = data.isEmpty ? [] : [.data(id, data)]
        if fin { expected.append(.remoteFinished(id)) }
        invariant(events == expected, "STREAM_DATA on \(id) gave \(events), expected \(expected)")
        stream.received += data.count
        stream.backlog += data.count
        stream.remoteFinished = stream.remoteFinished || fin
        store(stream, id)
    }

    mutating func receiveWindowUpdate(_ id: StreamID, credit: UInt64, events: [MultiplexerEvent]) {
        guard var stream = streams[id] else {
            let opened = role.opens(id) ? id < nextLocalID : highestRemoteID.map { id <= $0 } ?? false
            let expected: [MultiplexerEvent] = opened ? [] : [.send(.closeStream(streamID: id, code: .streamNotFound))]
            return invariant(events == expected, "WINDOW_UPDATE for unknown \(id) gave \(events), expected \(expected)")
        }
        guard flowControl else { return invariant(events.isEmpty, "WINDOW_UPDATE without fc1 gave \(events)") }
        let available = stream.credit - stream.sent
        if credit > UInt64(Int.max - available) {
            return expectViolationReset(id, .invalidMessage, events, "credit past Int.max")
        }
        // The model keeps running totals; rebase them on what is left, so they cannot overflow
        // where the multiplexer's remaining credit (checked above) does not.
        stream.credit = available + Int(credit)
        stream.sent = 0
        store(stream, id)
        for event in events {
            invariant(event == .windowOpened(id) && credit > 0 && !stream.localFinished, "WINDOW_UPDATE on \(id) gave \(event)")
        }
    }

    mutating func expectViolationReset(_ id: StreamID, _ code: ProtocolErrorCode, _ events: [MultiplexerEvent], _ what: String) {
        let expected: [MultiplexerEvent] = [.reset(id, code), .send(.closeStream(streamID: id, code: code))]
        invariant(events == expected, "\(what) on \(id) gave \(events), expected \(expected)")
        streams[id] = nil
        resetLocally.insert(id)
    }

    /// Saves a stream, or forgets it once both sides finished and everything was consumed.
    mutating func store(_ stream: StreamModel, _ id: StreamID) {
        streams[id] = stream.isComplete ? nil : stream
    }

    // MARK: - Local calls

    mutating func openLocally(label: String?) {
        let result = Result { () throws(StreamMultiplexerError) in try multiplexer.openStream(label: label) }
        guard streams.count < configuration.maximumConcurrentStreams else {
            return invariant(result.failureValue == .tooManyStreams, "open over the limit gave \(result)")
        }
        guard case .success(let (id, messages)) = result else { return invariant(false, "open failed: \(result)") }
        invariant(id == nextLocalID && role.opens(id), "opened \(id), expected \(nextLocalID)")
        invariant(messages == [.openStream(streamID: id, label: label)], "open sent \(messages)")
        nextLocalID += 2
        streams[id] = StreamModel()
    }

    mutating func write(_ id: StreamID, count: Int, fin: Bool) {
        let data = [UInt8](repeating: 0x64, count: count)
        let result = Result { () throws(StreamMultiplexerError) in try multiplexer.write(data, on: id, fin: fin) }
        guard var stream = streams[id] else {
            return invariant(result.failureValue == .unknownStream(id), "write on unknown \(id) gave \(result)")
        }
        guard !stream.localFinished else {
            return invariant(result.failureValue == .alreadyFinished(id), "write after fin on \(id) gave \(result)")
        }
        guard case .success(let outcome) = result else { return invariant(false, "write on \(id) failed: \(result)") }
        var sentData = 0
        var sentFin = false
        for (index, message) in outcome.messages.enumerated() {
            guard case .streamData(let streamID, let chunk, let chunkFin) = message, streamID == id else {
                return invariant(false, "write sent \(message)")
            }
            invariant(!sentFin, "data after fin in one write")
            invariant(chunk.count <= configuration.maximumChunkLength, "a chunk of \(chunk.count) bytes")
            invariant(!chunk.isEmpty || (chunkFin && index == outcome.messages.count - 1), "an empty chunk without fin")
            sentData += chunk.count
            sentFin = chunkFin
        }
        invariant(sentData == outcome.acceptedByteCount, "accepted \(outcome.acceptedByteCount), sent \(sentData)")
        invariant(outcome.isBlocked == (sentData < count), "isBlocked is \(outcome.isBlocked) after \(sentData) of \(count)")
        invariant(sentFin == (fin && sentData == count), "fin sent: \(sentFin), asked \(fin), \(sentData) of \(count)")
        if flowControl {
            invariant(sentData == min(count, stream.credit - stream.sent), "sent \(sentData) with credit \(stream.credit - stream.sent)")
        } else {
            invariant(sentData == count, "without fc1 a write of \(count) was cut to \(sentData)")
        }
        stream.sent += sentData
        stream.localFinished = sentFin
        store(stream, id)
    }

    mutating func finish(_ id: StreamID) {
        let result = Result { () throws(StreamMultiplexerError) in try multiplexer.finish(id) }
        guard var stream = streams[id] else {
            return invariant(result.failureValue == .unknownStream(id), "finish on unknown \(id) gave \(result)")
        }
        guard !stream.localFinished else {
            return invariant(result.failureValue == .alreadyFinished(id), "second finish on \(id) gave \(result)")
        }
        invariant(result.successValue == [.streamData(streamID: id, data: [], fin: true)], "finish sent \(result)")
        stream.localFinished = true
        store(stream, id)
    }

    mutating func resetLocally(_ id: StreamID, code: ProtocolErrorCode) {
        let messages = multiplexer.reset(id, code: code)
        if streams.removeValue(forKey: id) != nil {
            invariant(messages == [.closeStream(streamID: id, code: code)], "reset sent \(messages)")
            resetLocally.insert(id)
        } else {
            invariant(messages.isEmpty, "reset of unknown \(id) sent \(messages)")
        }
    }

    mutating func consumed(_ id: StreamID, byteCount: Int) {
        let messages = multiplexer.consumed(id, byteCount: byteCount)
        guard var stream = streams[id] else { return invariant(messages.isEmpty, "consumed on unknown \(id) sent \(messages)") }
        stream.backlog -= min(max(byteCount, 0), stream.backlog)
        for message in messages {
            guard case .windowUpdate(id, let credit) = message, flowControl, !stream.remoteFinished, credit > 0 else {
                return invariant(false, "consumed sent \(message)")
            }
            invariant(credit <= UInt64(Int.max - stream.granted), "credit overflow")
            stream.granted += Int(credit)
        }
        store(stream, id)
    }

    // MARK: - Always

    func checkGlobal() {
        invariant(multiplexer.bufferedByteCount >= 0, "bufferedByteCount is \(multiplexer.bufferedByteCount)")
        let backlog = streams.values.reduce(0) { $0 + $1.backlog }
        invariant(multiplexer.bufferedByteCount == backlog, "bufferedByteCount \(multiplexer.bufferedByteCount), undelivered \(backlog)")
        invariant(multiplexer.openStreamCount == streams.count, "\(multiplexer.openStreamCount) streams open, model has \(streams.count)")
        invariant(streams.count <= configuration.maximumConcurrentStreams, "\(streams.count) streams over the limit")
        var totalWindow = 0
        for (id, stream) in streams {
            invariant(multiplexer.isOpen(id), "stream \(id) is gone")
            guard let flowControl = configuration.flowControl else {
                invariant(multiplexer.sendCredit(for: id) == nil && multiplexer.receiveWindowSize(for: id) == nil, "windows without fc1")
                continue
            }
            invariant(multiplexer.sendCredit(for: id) == stream.credit - stream.sent, "send credit \(String(describing: multiplexer.sendCredit(for: id))), model \(stream.credit - stream.sent)")
            let window = multiplexer.receiveWindowSize(for: id) ?? -1
            invariant(window >= FlowControl.initialWindowSize && window <= flowControl.maximumWindowSize, "window \(window)")
            invariant(stream.granted - stream.received + stream.backlog <= window, "credit \(stream.granted - stream.received) + unconsumed \(stream.backlog) exceed window \(window)")
            totalWindow += window
        }
        if let flowControl = configuration.flowControl {
            let bound = flowControl.sessionWindowBudget + FlowControl.initialWindowSize * streams.count
            invariant(totalWindow <= bound, "windows total \(totalWindow), budget \(flowControl.sessionWindowBudget)")
        }
    }
}

extension Result {
    var failureValue: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }

    var successValue: Success? {
        if case .success(let value) = self { return value }
        return nil
    }
}
