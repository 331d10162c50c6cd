import SNaP2PWire
import TestSupport

/// Random CBOR trees within the decoder's nesting cap.
enum RandomCBOR {
    static func value(depth: Int, using random: inout SeededRandom) -> CBOR {
        let choice = Int.random(in: 0..<(depth < 4 ? 9 : 7), using: &random)
        switch choice {
        case 0: return .unsigned(interestingInteger(using: &random))
        case 1: return .negative(interestingInteger(using: &random))
        case 2: return .bytes(random.bytes(count: Int.random(in: 0..<40, using: &random)))
        case 3: return .text(text(using: &random))
        case 4: return .bool(Bool.random(using: &random))
        case 5: return .null
        case 6: return .unsigned(UInt64.random(in: 0..<24, using: &random))
        case 7:
            return .array((0..<Int.random(in: 0..<5, using: &random)).map { _ in value(depth: depth + 1, using: &random) })
        default:
            var entries: [String: CBOR] = [:]
            for _ in 0..<Int.random(in: 0..<5, using: &random) {
                entries[text(using: &random)] = value(depth: depth + 1, using: &random)
            }
            return .map(entries)
        }
    }

    static func interestingInteger(using random: inout SeededRandom) -> UInt64 {
        let edges: [UInt64] = [0, 23, 24, 255, 256, 65535, 65536, 0xffff_ffff, 0x1_0000_0000, .max]
        return Bool.random(using: &random) ? edges.randomElement(using: &random)! : random.next() >> (random.next() % 64)
    }

    static func text(using random: inout SeededRandom) -> String {
        let alphabet: [Character] = ["a", "b", "t", "s", "é", "字", "\u{1F600}", "\u{FF61}", "0", " "]
        return String((0..<Int.random(in: 0..<6, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
    }
}

/// `Varint.decodeLengthPrefix` on an array (the stdlib's `withUnsafeBytes` erases typed throws).
func lengthPrefix(_ bytes: [UInt8], maximum: Int) throws(FramingError) -> (length: Int, prefixLength: Int)? {
    try bytes.withUnsafeBytes { raw in
        Result { () throws(FramingError) in try Varint.decodeLengthPrefix(raw, maximum: maximum) }
    }.get()
}
