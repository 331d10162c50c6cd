extension CBOR {
    /// How deep arrays and maps may nest. Control messages need 2; the cap keeps recursion (and a
    /// hostile peer's ability to burn stack) small.
    public static let maximumNestingDepth = 16

    /// Decodes exactly one item spanning the whole input.
    ///
    /// Every declared length is checked against the bytes actually present before anything is
    /// allocated, so a few bytes claiming a 4 GiB string fail at once. Non-shortest heads are
    /// accepted (as the reference does); whole-number floats are read as integers, because the
    /// reference's decoder turns `1.0` into the number 1 as well.
    public static func decode(_ bytes: some Collection<UInt8>) throws(CBORDecodingError) -> CBOR {
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(CBORDecodingError) in try decodeWhole(buffer) }
        } ?? Array(bytes).withUnsafeBufferPointer { buffer in
            Result { () throws(CBORDecodingError) in try decodeWhole(buffer) }
        }
        return try result.get()
    }

    private static func decodeWhole(_ buffer: UnsafeBufferPointer<UInt8>) throws(CBORDecodingError) -> CBOR {
        var reader = Reader(input: buffer)
        let item = try reader.readItem(depth: 1)
        guard reader.remaining == 0 else { throw .trailingBytes(count: reader.remaining) }
        return item
    }
}

/// A cursor over the input; every read is bounds-checked against what is left.
private struct Reader {
    let input: UnsafeBufferPointer<UInt8>
    var offset = 0

    var remaining: Int { input.count - offset }

    mutating func readByte() throws(CBORDecodingError) -> UInt8 {
        guard offset < input.count else { throw .truncated }
        defer { offset += 1 }
        return input[offset]
    }

    mutating func readBigEndian(byteCount: Int) throws(CBORDecodingError) -> UInt64 {
        guard remaining >= byteCount else { throw .truncated }
        var value: UInt64 = 0
        for index in offset..<offset + byteCount {
            value = value << 8 | UInt64(input[index])
        }
        offset += byteCount
        return value
    }

    /// Reads a head's argument; `nil` means indefinite length (additional information 31).
    mutating func readArgument(_ additional: UInt8) throws(CBORDecodingError) -> UInt64? {
        switch additional {
        case 0..<24: return UInt64(additional)
        case 24: return UInt64(try readByte())
        case 25: return try readBigEndian(byteCount: 2)
        case 26: return try readBigEndian(byteCount: 4)
        case 27: return try readBigEndian(byteCount: 8)
        case 31: return nil
        default: throw .reservedAdditionalInformation
        }
    }

    /// Reads a definite length and checks that `unitSize` bytes per unit still fit in the input.
    mutating func readLength(_ additional: UInt8, unitSize: Int) throws(CBORDecodingError) -> Int {
        guard let length = try readArgument(additional) else { throw .indefiniteLength }
        guard length <= UInt64(remaining / unitSize) else { throw .lengthExceedsInput }
        return Int(length)
    }

    mutating func readContent(count: Int) -> UnsafeBufferPointer<UInt8> {
        defer { offset += count }
        return UnsafeBufferPointer(rebasing: input[offset..<offset + count])
    }

    mutating func readText(_ additional: UInt8) throws(CBORDecodingError) -> String {
        let count = try readLength(additional, unitSize: 1)
        let utf8 = readContent(count: count)
        let text = String(decoding: utf8, as: UTF8.self)
        // Decoding repairs invalid sequences with U+FFFD, so valid input is exactly what round-trips.
        guard text.utf8.elementsEqual(utf8) else { throw .invalidUTF8 }
        return text
    }

    mutating func readItem(depth: Int) throws(CBORDecodingError) -> CBOR {
        let initial = try readByte()
        let additional = initial & 0x1f
        switch CBOR.MajorType(rawValue: initial >> 5)! {
        case .unsigned:
            guard let value = try readArgument(additional) else { throw .indefiniteLength }
            return .unsigned(value)
        case .negative:
            guard let value = try readArgument(additional) else { throw .indefiniteLength }
            return .negative(value)
        case .bytes:
            let count = try readLength(additional, unitSize: 1)
            return .bytes(Array(readContent(count: count)))
        case .text:
            return .text(try readText(additional))
        case .array:
            let count = try readLength(additional, unitSize: 1)
            guard depth <= CBOR.maximumNestingDepth else { throw .nestingTooDeep }
            var elements: [CBOR] = []
            elements.reserveCapacity(count)
            for _ in 0..<count { elements.append(try readItem(depth: depth + 1)) }
            return .array(elements)
        case .map:
            let count = try readLength(additional, unitSize: 2)
            guard depth <= CBOR.maximumNestingDepth else { throw .nestingTooDeep }
            var entries: [String: CBOR] = [:]
            entries.reserveCapacity(count)
            for _ in 0..<count {
                let keyHead = try readByte()
                guard keyHead >> 5 == CBOR.MajorType.text.rawValue else { throw .nonTextMapKey }
                let key = try readText(keyHead & 0x1f)
                let value = try readItem(depth: depth + 1)
                guard entries.updateValue(value, forKey: key) == nil else { throw .duplicateMapKey(key) }
            }
            return .map(entries)
        case .tag:
            throw .unsupportedTag
        case .simple:
            return try readSimple(additional)
        }
    }

    mutating func readSimple(_ additional: UInt8) throws(CBORDecodingError) -> CBOR {
        switch additional {
        case 20: return .bool(false)
        case 21: return .bool(true)
        case 22: return .null
        case 25: return try integer(fromFloat: Self.halfPrecision(UInt16(try readBigEndian(byteCount: 2))))
        case 26: return try integer(fromFloat: Double(Float(bitPattern: UInt32(try readBigEndian(byteCount: 4)))))
        case 27: return try integer(fromFloat: Double(bitPattern: try readBigEndian(byteCount: 8)))
        case 28...30: throw .reservedAdditionalInformation
        case 31: throw .indefiniteLength
        default: throw .unsupportedSimpleValue
        }
    }

    func integer(fromFloat value: Double) throws(CBORDecodingError) -> CBOR {
        let twoTo64 = 18_446_744_073_709_551_616.0
        guard value.isFinite, value.rounded(.towardZero) == value else { throw .unsupportedFloat }
        if value >= 0, value < twoTo64 { return .unsigned(UInt64(value)) }
        if value < 0, -value < twoTo64 { return .negative(UInt64(-value) - 1) }
        throw .unsupportedFloat
    }

    /// IEEE 754 binary16, decoded by hand because `Float16` is missing on some platforms.
    static func halfPrecision(_ bits: UInt16) -> Double {
        let exponent = Int(bits >> 10 & 0x1f)
        let fraction = Double(bits & 0x3ff)
        let magnitude: Double
        switch exponent {
        case 0: magnitude = fraction * 0x1p-24
        case 31: magnitude = fraction == 0 ? .infinity : .nan
        default: magnitude = (1024 + fraction) * Double(sign: .plus, exponent: exponent - 25, significand: 1)
        }
        return bits & 0x8000 == 0 ? magnitude : -magnitude
    }
}
