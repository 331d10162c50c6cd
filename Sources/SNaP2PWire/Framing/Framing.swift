/// Builds frames: `varint(length) || body`, the only structure on the TCP stream.
public enum Framing {
    /// Frames `payload`. Callers keep payloads within ``FramingLimits/maximumFrameLength``
    /// (the multiplexer chunks stream data far below it); the receiver enforces the limit.
    public static func frame(_ payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + Varint.maximumLengthPrefixByteCount)
        Varint.encode(UInt64(payload.count), into: &out)
        out.append(contentsOf: payload)
        return out
    }
}
