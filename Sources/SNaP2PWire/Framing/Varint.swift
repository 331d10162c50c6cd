/// Unsigned LEB128, the frame length prefix: 7 bits per byte, least significant group first,
/// high bit set on every byte but the last.
public enum Varint {
    /// The longest length prefix accepted. Four bytes carry 28 bits, enough for 16 MiB; the
    /// reference reads a fifth into a signed 32-bit integer, which is how it breaks.
    public static let maximumLengthPrefixByteCount = 4

    /// Appends the encoding of `value` (shortest form).
    public static func encode(_ value: UInt64, into out: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        out.append(UInt8(rest))
    }

    /// The encoding of `value` (shortest form).
    public static func encoded(_ value: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        encode(value, into: &out)
        return out
    }

    /// Reads a frame length prefix from the start of `bytes`.
    ///
    /// Returns `nil` when more bytes are needed. Throws as soon as the prefix is known to be bad —
    /// too long, or declaring more than `maximum` — so no body is ever buffered for it. The
    /// SwiftNIO edge calls this on a `ByteBuffer`'s readable bytes; ``FrameDecoder`` uses it too.
    /// Non-shortest prefixes (`80 00`) are accepted, as the reference accepts them.
    public static func decodeLengthPrefix(
        _ bytes: UnsafeRawBufferPointer,
        maximum: Int
    ) throws(FramingError) -> (length: Int, prefixLength: Int)? {
        var length = 0
        for index in 0..<min(bytes.count, maximumLengthPrefixByteCount) {
            let byte = bytes[index]
            length |= Int(byte & 0x7f) << (7 * index)
            if byte & 0x80 == 0 {
                guard length <= maximum else { throw .frameTooLarge(length: length, maximum: maximum) }
                return (length, index + 1)
            }
        }
        guard bytes.count < maximumLengthPrefixByteCount else { throw .lengthPrefixTooLong }
        return nil
    }
}
