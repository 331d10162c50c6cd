/// One bidirectional byte stream inside a ``Connection``.
///
/// Writes are ordered, split into frames of at most 64 KiB, and suspend while the remote's
/// flow-control window (fc1 peers) or the socket is full; nothing is dropped silently.
/// Reading is done through ``inbound``. Dropping the last reference to a stream that is still
/// open aborts it (CLOSE_STREAM `INTERNAL`), so a stream can never be leaked by a task that fails.
public final class SNaP2PStream: Sendable {
    /// The stream id: even when opened by the dialer, odd when opened by the listener.
    public let id: UInt64
    /// The label given to ``Connection/openStream(label:)`` (the protocol's `l`), if any.
    public let label: String?

    private let link: SessionLink
    private let queue: InboundByteQueue
    private let gate: StreamWriteGate

    init(id: UInt64, label: String?, link: SessionLink, endpoint: StreamEndpoint) {
        self.id = id
        self.label = label
        self.link = link
        self.queue = endpoint.queue
        self.gate = endpoint.gate
    }

    deinit {
        let id = self.id
        link.execute { $0.streamReleased(id) }
    }

    /// The bytes the remote sends, chunk by chunk; ends after the remote's `finish()`, throws
    /// ``SNaP2PError`` when the stream or connection ends with an error. One reader at a time: a
    /// second task that waits while another does gets ``SNaP2PError/concurrentRead``.
    public var inbound: Inbound { Inbound(stream: self) }

    /// Sends `bytes`, in order with every other write. Returns at once while little is waiting to
    /// be sent; otherwise suspends until these bytes are sealed into frames (the remote's window
    /// and the socket let them go). Throws ``SNaP2PError/streamClosed(code:)`` after ``finish()``
    /// or ``close(error:)``, or the stream's or connection's error once it has ended — so a write
    /// lost to a failure shows up at the latest in ``finish()``. Cancelling a suspended write
    /// aborts the stream.
    public func write(_ bytes: [UInt8]) async throws {
        let id = self.id
        switch gate.admit(bytes.count) {
        case .refused(let reason):
            throw reason
        case .buffered:
            guard !bytes.isEmpty else { return }
            link.execute { $0.write(bytes, streamID: id, fin: false, promise: nil) }
        case .mustWait:
            try await withTaskCancellationHandler {
                try await link.submit(orThrow: Self.sessionGone) { handler, promise in
                    handler.write(bytes, streamID: id, fin: false, promise: promise)
                }
            } onCancel: {
                link.execute { $0.closeStream(id, code: .internalError) }
            }
        }
    }

    /// Half-closes: tells the remote this side sends nothing more (STREAM_DATA with `f`), after
    /// everything written so far, and returns when that is sealed. Reading continues until the
    /// remote finishes too. Throws if the stream failed before everything went out.
    public func finish() async throws {
        if let reason = gate.closedBecause { throw reason }
        gate.close(.streamClosed(code: .streamClosed))
        let id = self.id
        try await link.submit(orThrow: Self.sessionGone) { handler, promise in
            handler.write([], streamID: id, fin: true, promise: promise)
        }
    }

    private static let sessionGone = SNaP2PError.connectionClosed(code: .connectionClosed, reason: "the connection is closed")

    /// Ends the stream in both directions (CLOSE_STREAM). With `code`, the remote's reader sees
    /// ``SNaP2PError/streamClosed(code:)``; without, a clean end.
    public func close(error code: ProtocolErrorCode? = nil) {
        gate.close(.streamClosed(code: code ?? .streamClosed))
        let id = self.id
        link.execute { $0.closeStream(id, code: code) }
    }

    /// The received bytes of one stream as an async sequence of chunks.
    public struct Inbound: AsyncSequence, Sendable {
        public typealias Element = [UInt8]
        let stream: SNaP2PStream

        /// One iterator at a time.
        public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(stream: stream) }

        /// Yields chunks in order; one iterator at a time.
        public struct AsyncIterator: AsyncIteratorProtocol {
            let stream: SNaP2PStream

            /// The next chunk (at most one STREAM_DATA's worth), or `nil` after the remote finished.
            public mutating func next() async throws -> [UInt8]? {
                try await stream.queue.next()
            }
        }
    }
}

extension SNaP2PStream.Inbound {
    /// Reads until the remote finishes and returns everything, refusing more than `limit` bytes.
    public func collect(upTo limit: Int) async throws -> [UInt8] {
        var all: [UInt8] = []
        for try await chunk in self {
            guard all.count + chunk.count <= limit else {
                throw SNaP2PError.streamClosed(code: .messageTooLarge)
            }
            all.append(contentsOf: chunk)
        }
        return all
    }
}
