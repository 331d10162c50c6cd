import SNaP2PWire

extension StreamMultiplexer {
    /// Applies a message from the peer. Messages that are not about streams return no events.
    package mutating func receive(_ message: ControlMessage) -> [MultiplexerEvent] {
        switch message {
        case .openStream(let id, let label):
            return receiveOpen(id, label: label)
        case .streamData(let id, let data, let fin):
            return receiveData(id, data: data, fin: fin)
        case .closeStream(let id, let code):
            // Never answered, even for unknown ids: two sides closing at once must not ping-pong.
            return removeStream(id) ? [.reset(id, code)] : []
        case .windowUpdate(let id, let credit):
            return receiveWindowUpdate(id, credit: credit)
        default:
            return []
        }
    }

    private mutating func receiveOpen(_ id: StreamID, label: String?) -> [MultiplexerEvent] {
        let refusal: ProtocolErrorCode? =
            if isOpen(id) { .streamIDInUse }
            else if role.opens(id) { .invalidMessage }
            else if openStreamCount >= configuration.maximumConcurrentStreams { .streamRefused }
            else { nil }
        if let refusal {
            return [.send(.closeStream(streamID: id, code: refusal))]
        }
        noteRemoteOpen(id)
        addStream(id)
        return [.streamOpened(id, label: label)]
    }

    private mutating func receiveData(_ id: StreamID, data: [UInt8], fin: Bool) -> [MultiplexerEvent] {
        guard var stream = streamState(id) else {
            return wasResetLocally(id) ? [] : [.send(.closeStream(streamID: id, code: .streamNotFound))]
        }
        guard !stream.isRemoteFinished else {
            return resetForViolation(id, code: .streamClosed)
        }
        do {
            try stream.inbound?.receive(data.count)
        } catch {
            // More than the window we granted: MESSAGE_TOO_LARGE says "more than you were allowed".
            return resetForViolation(id, code: .messageTooLarge)
        }
        var events: [MultiplexerEvent] = []
        if !data.isEmpty {
            stream.backlog += data.count
            addBuffered(data.count)
            events.append(.data(id, data))
        }
        if fin {
            stream.isRemoteFinished = true
            events.append(.remoteFinished(id))
        }
        store(stream, id)
        return events
    }

    private mutating func receiveWindowUpdate(_ id: StreamID, credit: UInt64) -> [MultiplexerEvent] {
        guard var stream = streamState(id) else {
            // Updates for streams that ended race with their end; only nonsense ids are answered.
            return wasOpened(id) ? [] : [.send(.closeStream(streamID: id, code: .streamNotFound))]
        }
        guard var outbound = stream.outbound else { return [] }  // not negotiated: nothing to credit
        let reopened: Bool
        do {
            reopened = try outbound.grant(credit)
        } catch {
            return resetForViolation(id, code: .invalidMessage)
        }
        stream.outbound = outbound
        store(stream, id)
        return reopened && !stream.isLocalFinished ? [.windowOpened(id)] : []
    }
}
