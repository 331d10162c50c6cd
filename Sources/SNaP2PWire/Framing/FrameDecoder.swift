/// Splits an incoming byte stream into frame bodies. Pure and incremental: append whatever the
/// socket delivered, then pull frames until it returns `nil`.
///
/// The limit is checked as soon as a length prefix is readable, before the body is waited for;
/// pull after every append so a bad prefix is caught before more bytes pile up. After an error
/// the decoder stays failed: the connection must be closed.
public struct FrameDecoder: Sendable {
    /// The largest frame body accepted. Starts at the unauthenticated limit; the session raises it
    /// to ``FramingLimits/maximumFrameLength`` once the peer is authenticated.
    public var maximumFrameLength: Int

    private var buffer: [UInt8] = []
    private var readIndex = 0
    private var failure: FramingError?

    /// A decoder for a fresh connection.
    public init(maximumFrameLength: Int = FramingLimits.unauthenticatedFrameLength) {
        self.maximumFrameLength = maximumFrameLength
    }

    /// Bytes received but not yet returned as frames (a partial frame, or frames not yet pulled).
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Adds bytes received from the connection.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        // Compact once at least half the storage is consumed: amortised linear, never quadratic
        // while a large frame trickles in.
        if readIndex > 0, readIndex >= buffer.count - readIndex {
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame body, or `nil` until more bytes arrive.
    public mutating func nextFrame() throws(FramingError) -> [UInt8]? {
        if let failure { throw failure }
        let maximum = maximumFrameLength
        let start = readIndex
        let decoded = buffer.withUnsafeBytes { raw in
            Result { () throws(FramingError) in
                try Varint.decodeLengthPrefix(UnsafeRawBufferPointer(rebasing: raw[start...]), maximum: maximum)
            }
        }
        let prefix: (length: Int, prefixLength: Int)?
        switch decoded {
        case .success(let value):
            prefix = value
        case .failure(let error):
            failure = error
            throw error
        }
        guard let (length, prefixLength) = prefix, bufferedByteCount >= prefixLength + length else { return nil }
        let bodyStart = readIndex + prefixLength
        let body = Array(buffer[bodyStart..<bodyStart + length])
        readIndex = bodyStart + length
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        }
        return body
    }

    /// Hands over every buffered byte and empties the decoder, for when the byte stream changes
    /// hands (e.g. from handshake to session) so nothing that already arrived is dropped.
    public mutating func takeBufferedBytes() -> [UInt8] {
        defer {
            buffer.removeAll()
            readIndex = 0
        }
        return Array(buffer[readIndex...])
    }
}
