import SNaP2PWire

/// Bytes a session has framed and sealed but the transport has not taken yet.
struct OutputBuffer: Sendable {
    private(set) var bytes: [UInt8] = []

    var count: Int { bytes.count }

    /// Appends a plaintext frame (KNOCK and Noise messages).
    mutating func appendFrame(_ body: [UInt8]) {
        Varint.encode(UInt64(body.count), into: &bytes)
        bytes.append(contentsOf: body)
    }

    /// Lends the storage to a cipher that appends sealed frames.
    mutating func withBytes<Result, Failure>(_ body: (inout [UInt8]) throws(Failure) -> Result) throws(Failure) -> Result {
        try body(&bytes)
    }

    /// Hands the first `limit` bytes (all without a limit) to `body` and drops them.
    mutating func take(upTo limit: Int?, _ body: (UnsafeRawBufferPointer) -> Void) {
        let count = min(limit ?? bytes.count, bytes.count)
        guard count > 0 else { return }
        bytes.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
        if count == bytes.count {
            bytes.removeAll(keepingCapacity: bytes.capacity <= Self.retainedCapacity)
        } else {
            bytes.removeSubrange(..<count)
        }
    }

    private static let retainedCapacity = 512 * 1024
}
