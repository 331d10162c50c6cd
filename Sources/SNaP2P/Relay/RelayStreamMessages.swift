import SNaP2PRelay

/// `relay-1` messages on a stream: each side writes one message and reads one answer, so a
/// stream is read for one message at most before it turns into a relayed byte stream.
enum RelayStreamMessages {
    /// Sends `message` on `stream`.
    static func send(_ message: RelayMessage, on stream: SNaP2PStream) async throws {
        try await stream.write(message.encoded())
    }

    /// Sends a refusal and ends the stream.
    static func refuse(_ refusal: RelayRefusal, on stream: SNaP2PStream) async {
        try? await send(.refused(refusal), on: stream)
        try? await stream.finish()
    }

    /// Reads one message and the bytes received after it. Throws ``SNaP2PError/relayRefused(_:)``
    /// when none arrives within `timeout` or the stream breaks the protocol (`malformed`).
    static func receive(on stream: SNaP2PStream, within timeout: Duration) async throws -> (RelayMessage, [UInt8]) {
        try await withThrowingTaskGroup(of: (RelayMessage, [UInt8])?.self) { group in
            group.addTask {
                var reader = RelayMessageReader()
                do {
                    for try await chunk in stream.inbound {
                        reader.append(chunk)
                        if let message = try reader.next() { return (message, reader.takeRemainder()) }
                    }
                    throw RelayProtocolError.endedEarly
                } catch let error as RelayProtocolError {
                    throw SNaP2PError.relayRefused(RelayRefusal(.malformed, message: error.description))
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let received = first else {
                throw SNaP2PError.relayRefused(RelayRefusal(.unreachable, message: "no relay message within \(timeout)"))
            }
            return received
        }
    }
}
