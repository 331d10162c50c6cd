import SNaP2PStreams

/// The handler's end of one stream: the queue its reader takes bytes from and the gate its
/// writers pass. Shared with the ``SNaP2PStream``; both are thread-safe.
struct StreamEndpoint: Sendable {
    let queue: InboundByteQueue
    let gate: StreamWriteGate

    init(link: SessionLink, id: StreamID) {
        queue = InboundByteQueue { link.execute { $0.consumed(id) } }
        gate = StreamWriteGate(limit: Self.writeBufferLimit)
    }

    /// Bytes a stream's writers may have waiting before they are held back.
    static let writeBufferLimit = 1 << 20

    /// The stream ended: later writes throw `writing`; the reader sees `reading` after what it
    /// has not read yet (the clean end when `nil`).
    func terminate(reading: SNaP2PError?, writing: SNaP2PError) {
        gate.close(writing)
        queue.finish(throwing: reading)
    }
}
