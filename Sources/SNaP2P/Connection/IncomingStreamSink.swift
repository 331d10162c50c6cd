import NIOConcurrencyHelpers

/// Where the streams a remote opens go: one ``Connection``'s `incomingStreams`, fed by each session
/// that carries the connection (one, or two around a direct upgrade). The sequence ends once the
/// last of them has ended.
final class IncomingStreamSink: Sendable {
    private let continuation: AsyncStream<SNaP2PStream>.Continuation
    private let feeding = NIOLockedValueBox(1)

    init(_ continuation: AsyncStream<SNaP2PStream>.Continuation) {
        self.continuation = continuation
    }

    func yield(_ stream: SNaP2PStream) {
        continuation.yield(stream)
    }

    /// One more session feeds the sink.
    func attach() {
        feeding.withLockedValue { $0 += 1 }
    }

    /// A session that fed the sink has ended (or moved to another sink).
    func detach() {
        let isLast = feeding.withLockedValue { feeding in
            feeding -= 1
            return feeding == 0
        }
        if isLast { continuation.finish() }
    }
}
