extension CBOR {
    /// CBOR major types, named so encoder and decoder agree on one table.
    enum MajorType: UInt8 {
        case unsigned = 0, negative = 1, bytes = 2, text = 3, array = 4, map = 5, tag = 6, simple = 7
    }

    /// The deterministic encoding, the one signatures are computed over.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        encode(into: &out)
        return out
    }

    /// Appends the deterministic encoding: shortest-form heads, definite lengths, and map keys in
    /// the reference's order.
    ///
    /// The reference sorts keys with JavaScript's `<`, which compares UTF-16 code units; that is
    /// plain byte order for the ASCII keys the protocol uses (so STREAM_DATA is `d, f, sid, t`,
    /// not RFC 8949's length-first order) and stays byte-identical to the reference for any other key.
    public func encode(into out: inout [UInt8]) {
        switch self {
        case .unsigned(let value):
            CBOR.writeHead(.unsigned, value, into: &out)
        case .negative(let value):
            CBOR.writeHead(.negative, value, into: &out)
        case .bytes(let value):
            CBOR.writeHead(.bytes, UInt64(value.count), into: &out)
            out.append(contentsOf: value)
        case .text(let value):
            let utf8 = value.utf8
            CBOR.writeHead(.text, UInt64(utf8.count), into: &out)
            out.append(contentsOf: utf8)
        case .array(let elements):
            CBOR.writeHead(.array, UInt64(elements.count), into: &out)
            for element in elements { element.encode(into: &out) }
        case .map(let entries):
            CBOR.writeHead(.map, UInt64(entries.count), into: &out)
            for key in entries.keys.sorted(by: CBOR.referenceKeyOrder) {
                CBOR.text(key).encode(into: &out)
                entries[key]!.encode(into: &out)
            }
        case .bool(let value):
            out.append(value ? 0xf5 : 0xf4)
        case .null:
            out.append(0xf6)
        }
    }

    /// JavaScript's string `<`: lexicographic over UTF-16 code units.
    static func referenceKeyOrder(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf16.lexicographicallyPrecedes(rhs.utf16)
    }

    /// Writes a head in its shortest form. Shared with the hand-rolled STREAM_DATA writer.
    static func writeHead(_ major: MajorType, _ argument: UInt64, into out: inout [UInt8]) {
        let type = major.rawValue << 5
        switch argument {
        case 0..<24:
            out.append(type | UInt8(argument))
        case 24...0xff:
            out.append(type | 24)
            out.append(UInt8(argument))
        case 0x100...0xffff:
            out.append(type | 25)
            out.append(UInt8(truncatingIfNeeded: argument >> 8))
            out.append(UInt8(truncatingIfNeeded: argument))
        case 0x1_0000...0xffff_ffff:
            out.append(type | 26)
            for shift in stride(from: 24, through: 0, by: -8) {
                out.append(UInt8(truncatingIfNeeded: argument >> UInt64(shift)))
            }
        default:
            out.append(type | 27)
            for shift in stride(from: 56, through: 0, by: -8) {
                out.append(UInt8(truncatingIfNeeded: argument >> UInt64(shift)))
            }
        }
    }
}
