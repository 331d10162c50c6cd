import SNaP2PRelay
import SNaP2PWire

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
    /// when none arrives within `timeout` (the stream is then closed with TIMEOUT) or the stream
    /// breaks the protocol (`malformed`).
    static func receive(on stream: SNaP2PStream, within timeout: Duration) async throws -> (RelayMessage, [UInt8]) {
        var reader = StreamMessageReader<RelayMessage>(stream)
        do {
            let message = try await reader.next(within: timeout)
            return (message, reader.takeRemainder())
        } catch is StreamMessageReader<RelayMessage>.TimedOut {
            throw SNaP2PError.relayRefused(RelayRefusal(.unreachable, message: "no relay message within \(timeout)"))
        } catch let error as RelayProtocolError {
            throw SNaP2PError.relayRefused(RelayRefusal(.malformed, message: error.description))
        }
    }
}

/// Reads the messages of a `relay-1` or `upgrade-1` stream in order, each within a deadline, and
/// then hands over what followed them (a relayed session's first bytes).
struct StreamMessageReader<Message: FramedMessage> where Message.DecodingError == RelayProtocolError {
    /// No message arrived in time; the stream was closed with TIMEOUT.
    struct TimedOut: Error {}

    private let stream: SNaP2PStream
    private var chunks: SNaP2PStream.Inbound.AsyncIterator
    private var reader = FramedMessageReader<Message>()

    init(_ stream: SNaP2PStream) {
        self.stream = stream
        chunks = stream.inbound.makeAsyncIterator()
    }

    /// The next message. Throws ``RelayProtocolError`` when the stream ends first (`endedEarly`)
    /// or breaks the protocol, and ``TimedOut`` (the stream aborted) when none arrives within `timeout`.
    mutating func next(within timeout: Duration) async throws -> Message {
        let deadline = ContinuousClock.now + timeout
        let stream = self.stream
        let watchdog = Task {
            try await Task.sleep(until: deadline)
            stream.close(error: .timeout)
        }
        defer { watchdog.cancel() }
        do {
            while true {
                if let message = try reader.next() { return message }
                guard let chunk = try await chunks.next() else { throw RelayProtocolError.endedEarly }
                reader.append(chunk)
            }
        } catch {
            throw ContinuousClock.now >= deadline ? TimedOut() : error
        }
    }

    /// The bytes received after the last message read, emptying the reader.
    mutating func takeRemainder() -> [UInt8] {
        reader.takeRemainder()
    }
}
