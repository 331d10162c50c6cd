/// Lowercase hexadecimal, the text form the protocol uses for node keys and the CLI uses for bytes.
public enum Hex {
    /// Errors from ``decode(_:)``.
    public enum DecodingError: Error, Equatable, Sendable {
        /// The text has an odd number of characters.
        case oddLength
        /// A character outside `0-9a-fA-F` at this offset.
        case invalidCharacter(offset: Int)
    }

    /// Encodes bytes as lowercase hex.
    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        bytes.withContiguousStorageIfAvailable(encode(contiguous:)) ?? Array(bytes).withUnsafeBufferPointer(encode(contiguous:))
    }

    /// One allocation for the text (attestations hex-encode their fields in every handshake).
    private static func encode(contiguous bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { text in
            for (index, byte) in bytes.enumerated() {
                text[2 * index] = digit(byte >> 4)
                text[2 * index + 1] = digit(byte & 0x0f)
            }
            return bytes.count * 2
        }
    }

    private static func digit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    /// Decodes hex text (either case). An optional `0x` prefix is accepted.
    public static func decode(_ text: String) throws(DecodingError) -> [UInt8] {
        var utf8 = Array(text.utf8)
        var offset = 0
        if utf8.count >= 2, utf8[0] == UInt8(ascii: "0"), utf8[1] | 0x20 == UInt8(ascii: "x") {
            utf8.removeFirst(2)
            offset = 2
        }
        guard utf8.count % 2 == 0 else { throw .oddLength }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]) else { throw .invalidCharacter(offset: offset + index) }
            guard let low = nibble(utf8[index + 1]) else { throw .invalidCharacter(offset: offset + index + 1) }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
