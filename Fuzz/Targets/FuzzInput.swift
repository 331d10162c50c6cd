/// Reads structured choices out of a fuzz input, the way libFuzzer's `FuzzedDataProvider` does:
/// every read succeeds, and reads past the end give zeros, so any input is a valid program and
/// short inputs take the default (zero) branch of every choice.
struct FuzzInput {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Bytes not read yet.
    var remainingCount: Int { bytes.count - offset }

    var isExhausted: Bool { offset >= bytes.count }

    mutating func byte() -> UInt8 {
        guard offset < bytes.count else { return 0 }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func bool() -> Bool { byte() & 1 == 1 }

    /// A number in `range`, from as few bytes as the range needs (one for up to 256 values).
    mutating func int(in range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound) + 1
        var raw: UInt64 = 0
        var rest = span - 1
        repeat {
            raw = raw &<< 8 | UInt64(byte())
            rest >>= 8
        } while rest > 0
        return range.lowerBound + Int(raw % span)
    }

    /// Eight bytes, little-endian.
    mutating func uint64() -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: 8) { value |= UInt64(byte()) << UInt64(shift) }
        return value
    }

    /// Up to `count` bytes (fewer when the input runs out).
    mutating func bytes(_ count: Int) -> [UInt8] {
        let end = min(bytes.count, offset + max(count, 0))
        defer { offset = max(offset, end) }
        return offset < end ? Array(bytes[offset..<end]) : []
    }

    /// Exactly `count` bytes, zero-padded when the input runs out.
    mutating func paddedBytes(_ count: Int) -> [UInt8] {
        let taken = bytes(count)
        return taken + [UInt8](repeating: 0, count: count - taken.count)
    }

    /// A length from one byte (up to `maximum`), then that many bytes.
    mutating func lengthPrefixedBytes(maximum: Int = 255) -> [UInt8] {
        bytes(int(in: 0...maximum))
    }

    /// Bytes up to the next zero byte (which is consumed) or `maximum`, whichever comes first: a
    /// text field the fuzzer can grow or cut by inserting dictionary words, without a length to fix.
    mutating func zeroTerminatedBytes(maximum: Int) -> [UInt8] {
        var field: [UInt8] = []
        while field.count < maximum, !isExhausted {
            let next = byte()
            if next == 0 { break }
            field.append(next)
        }
        return field
    }

    /// Everything not read yet.
    mutating func rest() -> [UInt8] {
        bytes(remainingCount)
    }

    /// One of `options`.
    mutating func pick<Element>(_ options: [Element]) -> Element {
        options[int(in: 0...(options.count - 1))]
    }
}
