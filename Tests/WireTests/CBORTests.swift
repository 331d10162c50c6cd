import SNaP2PWire
import Testing
import TestSupport

@Suite struct CBOREncodingTests {
    @Test func headsUseTheShortestForm() {
        let cases: [(UInt64, String)] = [
            (0, "00"), (23, "17"), (24, "1818"), (255, "18ff"), (256, "190100"), (65535, "19ffff"),
            (65536, "1a00010000"), (4_294_967_295, "1affffffff"), (4_294_967_296, "1b0000000100000000"),
            (.max, "1bffffffffffffffff"),
        ]
        for (value, hex) in cases {
            #expect(CBOR.unsigned(value).encoded().hex == hex)
        }
        #expect(CBOR.negative(0).encoded().hex == "20")
        #expect(CBOR.negative(499).encoded().hex == "3901f3")
        #expect(CBOR.bytes([1, 2]).encoded().hex == "420102")
        #expect(CBOR.text("é").encoded().hex == "62c3a9")
        #expect(CBOR.array([.bool(false), .bool(true), .null]).encoded().hex == "83f4f5f6")
        #expect(CBOR.bytes([UInt8](repeating: 0, count: 24)).encoded().prefix(2) == [0x58, 0x18])
    }

    @Test func mapKeysSortInTheReferencesPlainOrderNotLengthFirst() {
        let message: CBOR = .map(["t": .unsigned(0x12), "sid": .unsigned(0), "d": .bytes([]), "f": .bool(true)])
        #expect(message.encoded().hex == "a46164406166f56373696400617412")
        // JavaScript compares UTF-16 code units: U+1F600 (surrogates D83D DE00) sorts before
        // U+FF61, the opposite of UTF-8 byte order (F0 9F 98 80 > EF BD A1).
        let keys: CBOR = .map(["\u{1F600}": .null, "\u{FF61}": .null, "b": .null, "a": .null, "aa": .null])
        let decodedKeyOrder = keyOrder(keys.encoded())
        #expect(decodedKeyOrder == ["a", "aa", "b", "\u{1F600}", "\u{FF61}"])
    }

    @Test func typedAccessorsReturnNilForOtherTypes() {
        let map: CBOR = .map(["n": .unsigned(1), "s": .text("x")])
        #expect(map["n"]?.uint == 1)
        #expect(map["s"]?.text == "x")
        #expect(map["missing"] == nil)
        #expect(CBOR.unsigned(1)["n"] == nil)
        #expect(CBOR.text("1").uint == nil)
        #expect(CBOR.unsigned(1).bytes == nil)
        #expect(CBOR.bool(true).bool == true)
        #expect(CBOR.null.bool == nil)
        #expect(CBOR.array([]).array == [])
        #expect(CBOR.negative(0).uint == nil)
    }

    @Test func randomValuesRoundTrip() throws {
        var random = SeededRandom(seed: 0x5eed_cb02)
        for _ in 0..<3000 {
            let value = RandomCBOR.value(depth: 0, using: &random)
            let bytes = value.encoded()
            #expect(try CBOR.decode(bytes) == value)
        }
    }

    /// Reads a map's keys in wire order (the decoder itself forgets it).
    private func keyOrder(_ bytes: [UInt8]) -> [String] {
        var keys: [String] = []
        var offset = 1
        for _ in 0..<Int(bytes[0] & 0x1f) {
            let length = Int(bytes[offset] & 0x1f)
            keys.append(String(decoding: bytes[offset + 1..<offset + 1 + length], as: UTF8.self))
            offset += 1 + length + 1  // key head + key + f6
        }
        return keys
    }
}

@Suite struct CBORDecodingTests {
    private func decodeError(_ hex: String) -> CBORDecodingError? {
        do {
            _ = try CBOR.decode([UInt8](hex: hex))
            return nil
        } catch {
            return error
        }
    }

    @Test func acceptsNonShortestHeadsAndIntegralFloats() throws {
        #expect(try CBOR.decode([UInt8](hex: "1801")) == .unsigned(1))
        #expect(try CBOR.decode([UInt8](hex: "1b0000000000000005")) == .unsigned(5))
        #expect(try CBOR.decode([UInt8](hex: "fb3ff0000000000000")) == .unsigned(1))
        #expect(try CBOR.decode([UInt8](hex: "f93c00")) == .unsigned(1))
        #expect(try CBOR.decode([UInt8](hex: "fa47800000")) == .unsigned(65536))
        #expect(try CBOR.decode([UInt8](hex: "f9c400")) == .negative(3))  // -4.0
        #expect(try CBOR.decode([UInt8](hex: "f98000")) == .unsigned(0))  // -0.0
        #expect(try CBOR.decode([UInt8](hex: "f6")) == .null)
    }

    @Test func acceptsNonContiguousCollections() throws {
        let bytes = [UInt8](hex: "a2616101616202")
        #expect(try CBOR.decode(bytes.lazy.map { $0 }) == .map(["a": .unsigned(1), "b": .unsigned(2)]))
        #expect(try CBOR.decode(bytes[...]) == .map(["a": .unsigned(1), "b": .unsigned(2)]))
    }

    @Test func rejectsEachUnsupportedConstruct() {
        #expect(decodeError("") == .truncated)
        #expect(decodeError("0000") == .trailingBytes(count: 1))
        #expect(decodeError("5f4101ff") == .indefiniteLength)
        #expect(decodeError("9fff") == .indefiniteLength)
        #expect(decodeError("bfff") == .indefiniteLength)
        #expect(decodeError("ff") == .indefiniteLength)
        #expect(decodeError("c074") == .unsupportedTag)
        #expect(decodeError("f7") == .unsupportedSimpleValue)
        #expect(decodeError("f820") == .unsupportedSimpleValue)
        #expect(decodeError("e0") == .unsupportedSimpleValue)
        #expect(decodeError("fb3ff8000000000000") == .unsupportedFloat)  // 1.5
        #expect(decodeError("f97e00") == .unsupportedFloat)  // NaN
        #expect(decodeError("f97c00") == .unsupportedFloat)  // infinity
        #expect(decodeError("fb43f0000000000000") == .unsupportedFloat)  // 2^64
        #expect(decodeError("1c") == .reservedAdditionalInformation)
        #expect(decodeError("62c328") == .invalidUTF8)
        #expect(decodeError("61ff") == .invalidUTF8)
        #expect(decodeError("a1016161") == .nonTextMapKey)
        #expect(decodeError("a1416101") == .nonTextMapKey)
        #expect(decodeError("a2616101616102") == .duplicateMapKey("a"))
        #expect(decodeError("a1616101") == nil)
    }

    @Test func declaredLengthsBeyondTheInputFailBeforeAllocating() {
        // Five bytes declaring a 4 GiB - 1 string, and 8-byte heads declaring 2^64 - 1.
        #expect(decodeError("7affffffff") == .lengthExceedsInput)
        #expect(decodeError("5affffffff") == .lengthExceedsInput)
        #expect(decodeError("7bffffffffffffffff") == .lengthExceedsInput)
        #expect(decodeError("9bffffffffffffffff") == .lengthExceedsInput)
        #expect(decodeError("bbffffffffffffffff") == .lengthExceedsInput)
        #expect(decodeError("9a7fffffff00") == .lengthExceedsInput)
        // A map needs two bytes per entry: one entry's worth of bytes cannot hold two entries.
        #expect(decodeError("a2616101") == .lengthExceedsInput)
        #expect(decodeError("4201") == .lengthExceedsInput)
    }

    @Test func nestingIsCapped() {
        let allowed = String(repeating: "81", count: CBOR.maximumNestingDepth) + "00"
        #expect(decodeError(allowed) == nil)
        let tooDeep = String(repeating: "81", count: CBOR.maximumNestingDepth + 1) + "00"
        #expect(decodeError(tooDeep) == .nestingTooDeep)
        #expect(decodeError(String(repeating: "81", count: 1000) + "00") == .nestingTooDeep)
        #expect(decodeError(String(repeating: "a16161", count: 1000) + "00") == .nestingTooDeep)
        // Deep nesting that is also truncated still fails cleanly.
        #expect(decodeError(String(repeating: "81", count: 1000)) == .nestingTooDeep)
    }

    @Test func everyTruncationOfEveryVectorFails() throws {
        var vectors = (Vectors.value(Vectors.reference, "wire", "messages") as! [[String: Any]])
            .map { [UInt8](hex: $0["cbor"] as! String) }
        vectors += ReferenceMessage.samples.map { $0.encoded() }
        for bytes in vectors {
            #expect(throws: Never.self) { try CBOR.decode(bytes) }
            for cut in 0..<bytes.count {
                let prefix = Array(bytes[..<cut])
                #expect(throws: CBORDecodingError.self) { try CBOR.decode(prefix) }
                #expect(throws: ControlMessageDecodingError.self) { try ControlMessage.decode(prefix) }
            }
        }
    }
}
