import SNaP2PDiscovery
import SNaP2PIdentity
import SNaP2PWire
import Testing

/// The PX-1 wire format: the byte examples of docs/PX-1.md, round trips, and every limit.
@Suite struct PXMessageTests {
    static let alice = try! Principal("stacks:SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7")
    static let aliceText = Hex.encode(Array(alice.description.utf8))

    /// Decodes one framed message, checking the length prefix covers exactly the body.
    static func decodeFramed(_ bytes: [UInt8]) throws -> PXMessage {
        var reader = PXMessageReader()
        reader.append(bytes)
        let message = try #require(try reader.next())
        #expect(reader.bufferedByteCount == 0)
        return message
    }

    /// The framed body of a CBOR map.
    static func frame(_ fields: [String: CBOR]) -> [UInt8] { Framing.frame(CBOR.map(fields).encoded()) }

    @Test func resolveRequestAsDocumented() throws {
        let message = PXMessage.resolveRequest(.init(principal: Self.alice, maximumResults: 4))
        // 83-byte body: {"max_results": 4, "principal": "stacks:SP2J…", "type": 1, "v": 1}
        let expected = "53" + "a4" + "6b" + "6d61785f726573756c7473" + "04" + "69" + "7072696e636970616c" + "7830" + Self.aliceText
            + "64" + "74797065" + "01" + "6176" + "01"
        #expect(Hex.encode(message.encoded()) == expected)
        #expect(try Self.decodeFramed(message.encoded()) == message)
    }

    @Test func resolveResponseAsDocumented() throws {
        let message = PXMessage.resolveResponse(.init(locators: [try Locator("203.0.113.7:9000"), try Locator("[2001:db8::7]:9000")]))
        // {"locators": ["203.0.113.7:9000", "[2001:db8::7]:9000"], "type": 2, "v": 1}
        let expected = "38a3686c6f6361746f727382703230332e302e3131332e373a39303030725b323030313a6462383a3a375d3a39303030647479706502617601"
        #expect(Hex.encode(message.encoded()) == expected)
        #expect(try Self.decodeFramed(message.encoded()) == message)
        #expect(try Self.decodeFramed(PXMessage.resolveResponse(.init(locators: [])).encoded()) == .resolveResponse(.init(locators: [])))
    }

    @Test func pushAsDocumented() throws {
        let message = PXMessage.push(.init(principal: Self.alice, locators: [try Locator("alice.example.org:9000")], ttlSeconds: 86400))
        // {"locators": ["alice.example.org:9000"], "principal": "stacks:SP2J…", "ttl_seconds": 86400, "type": 3, "v": 1}
        let expected = "78a5686c6f6361746f72738176616c6963652e6578616d706c652e6f72673a39303030697072696e636970616c7830"
            + Self.aliceText + "6b74746c5f7365636f6e64731a00015180647479706503617601"
        #expect(Hex.encode(message.encoded()) == expected)
        #expect(try Self.decodeFramed(message.encoded()) == message)
    }

    @Test func requestWithoutMaximumAndUnknownKeysDecodes() throws {
        let bytes = Self.frame(["type": .unsigned(1), "v": .unsigned(1), "principal": .text(Self.alice.description), "later": .bool(true)])
        #expect(try Self.decodeFramed(bytes) == .resolveRequest(.init(principal: Self.alice)))
    }

    @Test func maximumResultsIsCappedOnDecoding() throws {
        let bytes = Self.frame([
            "type": .unsigned(1), "v": .unsigned(1), "principal": .text(Self.alice.description), "max_results": .unsigned(1 << 40),
        ])
        #expect(try Self.decodeFramed(bytes) == .resolveRequest(.init(principal: Self.alice, maximumResults: PXLimits.maximumResults)))
    }

    @Test func oversizedFrameIsRefusedFromItsPrefix() {
        var reader = PXMessageReader()
        reader.append(Varint.encoded(UInt64(PXLimits.maximumMessageLength + 1)))
        #expect(throws: PXProtocolError.messageTooLarge(length: PXLimits.maximumMessageLength + 1)) { try reader.next() }
    }

    @Test func aMessageArrivesInPieces() throws {
        let bytes = PXMessage.resolveRequest(.init(principal: Self.alice)).encoded()
        var reader = PXMessageReader()
        for byte in bytes.dropLast() {
            reader.append([byte])
            #expect(try reader.next() == nil)
        }
        reader.append([bytes.last!])
        #expect(try reader.next() == .resolveRequest(.init(principal: Self.alice)))
    }

    static let invalid: [(String, [String: CBOR], PXProtocolError)] = [
        ("no version", ["type": .unsigned(2), "locators": .array([])], .malformed("no version \"v\"")),
        ("version 2", ["type": .unsigned(2), "v": .unsigned(2), "locators": .array([])], .unsupportedVersion(2)),
        ("no type", ["v": .unsigned(1), "locators": .array([])], .malformed("no message \"type\"")),
        ("type 9", ["type": .unsigned(9), "v": .unsigned(1)], .unknownType(9)),
        ("request without principal", ["type": .unsigned(1), "v": .unsigned(1)],
         .malformed("no text \"principal\" of at most \(PXLimits.maximumPrincipalLength) bytes")),
        ("response without locators", ["type": .unsigned(2), "v": .unsigned(1)], .malformed("no array \"locators\"")),
        ("locator not text", ["type": .unsigned(2), "v": .unsigned(1), "locators": .array([.unsigned(1)])], .malformed("a locator is not text")),
        ("push without ttl", ["type": .unsigned(3), "v": .unsigned(1), "principal": .text(alice.description), "locators": .array([])],
         .malformed("no unsigned \"ttl_seconds\"")),
        ("max_results negative", ["type": .unsigned(1), "v": .unsigned(1), "principal": .text(alice.description), "max_results": .negative(0)],
         .malformed("\"max_results\" is not an unsigned integer")),
    ]

    @Test func malformedMessagesAreRefused() {
        for (name, fields, error) in Self.invalid {
            var reader = PXMessageReader()
            reader.append(Self.frame(fields))
            #expect(throws: error, "\(name)") { try reader.next() }
        }
    }

    @Test func tooManyLocatorsAreRefused() {
        let locators = CBOR.array((0...PXLimits.maximumLocatorsPerMessage).map { .text("192.0.2.\($0 + 1):9000") })
        var reader = PXMessageReader()
        reader.append(Self.frame(["type": .unsigned(2), "v": .unsigned(1), "locators": locators]))
        #expect(throws: PXProtocolError.self) { try reader.next() }
    }

    @Test func badLocatorsAndPrincipalsAreRefused() {
        for fields: [String: CBOR] in [
            ["type": .unsigned(2), "v": .unsigned(1), "locators": .array([.text("nowhere")])],
            ["type": .unsigned(1), "v": .unsigned(1), "principal": .text("stacks:not-an-address")],
            ["type": .unsigned(1), "v": .unsigned(1), "principal": .text(String(repeating: "s", count: 200))],
        ] {
            var reader = PXMessageReader()
            reader.append(Self.frame(fields))
            #expect(throws: PXProtocolError.self) { try reader.next() }
        }
    }

    @Test func errorsMapToCloseCodes() {
        #expect(PXProtocolError.messageTooLarge(length: 5000).code == .messageTooLarge)
        #expect(PXProtocolError.unknownType(4).code == .versionUnsupported)
        #expect(PXProtocolError.malformed("x").code == .invalidMessage)
        #expect(PXProtocolError.rateLimited.code == .rateLimited)
    }

    @Test func garbageNeverCrashesTheReader() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            var reader = PXMessageReader()
            let count = Int.random(in: 0..<64, using: &generator)
            reader.append((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
            _ = try? reader.next()
        }
    }
}
