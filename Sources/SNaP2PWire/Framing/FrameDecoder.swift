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
        guard let (length, prefixLength) = try bufferedPrefix(), bufferedByteCount >= prefixLength + length else { return nil }
        let bodyStart = readIndex + prefixLength
        let body = Array(buffer[bodyStart..<bodyStart + length])
        readIndex = bodyStart + length
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        }
        return body
    }

    /// Where a frame found by ``nextFrame(in:offset:)`` lies.
    public enum Location: Sendable, Hashable {
        /// Inside the input the caller passed: no copy was made.
        case input(Range<Int>)
        /// In the decoder's buffer, because the frame arrived in pieces: read it with
        /// ``withBufferedBytes(_:_:)`` before the next call.
        case buffered(Range<Int>)
    }

    /// The zero-copy path for a transport's receive buffers: the next frame body in `input` from
    /// `offset` (after any frame begun in earlier input), advancing `offset` past it. Returns `nil`
    /// once `input` is used up, keeping an incomplete frame for the next call. Only a frame split
    /// across inputs is copied; its length is checked before any of it is kept.
    public mutating func nextFrame(in input: UnsafeRawBufferPointer, offset: inout Int) throws(FramingError) -> Location? {
        if let failure { throw failure }
        if readIndex == buffer.count, readIndex > 0 {
            buffer.removeAll(keepingCapacity: buffer.capacity <= Self.retainedCapacity)
            readIndex = 0
        }
        if buffer.isEmpty {
            let rest = UnsafeRawBufferPointer(rebasing: input[offset...])
            if let (length, prefixLength) = try checkedPrefix(rest), rest.count >= prefixLength + length {
                let start = offset + prefixLength
                offset = start + length
                return .input(start..<offset)
            }
            buffer.append(contentsOf: rest)
            offset = input.count
            return nil
        }
        // A frame begun earlier: complete its prefix a byte at a time, then its body.
        while true {
            let start = readIndex
            guard let (length, prefixLength) = try bufferedPrefix() else {
                guard offset < input.count else { return nil }
                buffer.append(input[offset])
                offset += 1
                continue
            }
            let frameEnd = readIndex + prefixLength + length
            let wanted = min(frameEnd - buffer.count, input.count - offset)
            if wanted > 0 {
                buffer.reserveCapacity(frameEnd)
                buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[offset..<offset + wanted]))
                offset += wanted
            }
            guard buffer.count >= frameEnd else { return nil }
            readIndex = frameEnd
            return .buffered(start + prefixLength..<frameEnd)
        }
    }

    /// Lends the bytes of a frame that ``nextFrame(in:offset:)`` returned as `.buffered`.
    public func withBufferedBytes<Result>(_ range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    /// The length prefix of the buffered frame at `readIndex`, once all of it is there.
    private mutating func bufferedPrefix() throws(FramingError) -> (length: Int, prefixLength: Int)? {
        let start = readIndex
        let maximum = maximumFrameLength
        let decoded = buffer.withUnsafeBytes { raw in
            Result { () throws(FramingError) in
                try Varint.decodeLengthPrefix(UnsafeRawBufferPointer(rebasing: raw[start...]), maximum: maximum)
            }
        }
        return try checked(decoded)
    }

    private mutating func checkedPrefix(_ bytes: UnsafeRawBufferPointer) throws(FramingError) -> (length: Int, prefixLength: Int)? {
        let maximum = maximumFrameLength
        return try checked(Result { () throws(FramingError) in try Varint.decodeLengthPrefix(bytes, maximum: maximum) })
    }

    /// Unwraps a decoded prefix; a bad one fails the decoder for good.
    private mutating func checked(
        _ decoded: Result<(length: Int, prefixLength: Int)?, FramingError>
    ) throws(FramingError) -> (length: Int, prefixLength: Int)? {
        switch decoded {
        case .success(let prefix):
            return prefix
        case .failure(let error):
            failure = error
            throw error
        }
    }

    private static let retainedCapacity = 1 << 20

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
