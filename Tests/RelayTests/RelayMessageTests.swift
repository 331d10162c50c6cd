import SNaP2PIdentity
import SNaP2PRelay
import SNaP2PWire
import Testing

/// The `relay-1` messages' exact bytes (docs/RELAY.md quotes these) and their decoding rules.
@Suite struct RelayMessageTests {
    static let alice = try! Principal("stacks:ST2D2TNE4QPSMKSYS4FNKW1Q1C56CMQHN08Q0VHSJ")

    @Test(arguments: [
        (RelayMessage.reserve, "11a264747970656772657365727665617601"),
        (.reserved(expiresAt: 1_764_450_000), "1fa367657870697265731a692b5ed06474797065687265736572766564617601"),
        (.accepted, "12a26474797065686163636570746564617601"),
    ])
    func encodesCanonically(message: RelayMessage, hex: String) throws {
        #expect(Hex.encode(message.encoded()) == hex)
        try expectRoundTrip(message)
    }

    @Test func connectAndIncomingNameThePrincipalAsText() throws {
        let connect = RelayMessage.connect(Self.alice)
        #expect(Hex.encode(connect.encoded()) == "4da3697072696e636970616c7830737461636b733a5354324432544e45345150534d4b53595334464e4b5731513143"
            + "3536434d51484e303851305648534a647479706567636f6e6e656374617601")
        try expectRoundTrip(connect)
        try expectRoundTrip(.incoming(Self.alice))
    }

    @Test func refusalCarriesReasonAndMessage() throws {
        let refused = RelayMessage.refused(RelayRefusal(.noReservation, message: "nobody"))
        #expect(Hex.encode(refused.encoded()) == "36a4676d657373616765666e6f626f647966726561736f6e6e6e6f2d7265736572766174696f6e6474797065677265"
            + "6675736564617601")
        try expectRoundTrip(refused)
        try expectRoundTrip(.refused(RelayRefusal(RelayReason(rawValue: "from-a-later-version"))))
    }

    @Test func longRefusalMessagesAreCutAtACharacterBoundary() throws {
        let message = String(repeating: "é", count: 400)  // 800 bytes
        let decoded = try decode(RelayMessage.refused(RelayRefusal(.relayFull, message: message)).encoded())
        guard case .refused(let refusal) = decoded else { throw Unexpected(decoded) }
        #expect(refusal.message == String(repeating: "é", count: 256))
    }

    @Test func refusesOtherVersionsTypesAndMissingFields() {
        func body(_ map: [String: CBOR]) -> [UInt8] { CBOR.map(map).encoded() }
        #expect(throws: RelayProtocolError.unsupportedVersion(2)) {
            try RelayMessage(decoding: body(["type": .text("reserve"), "v": .unsigned(2)]))
        }
        for map: [String: CBOR] in [
            ["type": .text("reserve")],
            ["type": .text("teleport"), "v": .unsigned(1)],
            ["type": .text("connect"), "v": .unsigned(1)],
            ["type": .text("connect"), "v": .unsigned(1), "principal": .text("stacks:nope")],
            ["type": .text("reserved"), "v": .unsigned(1)],
            ["type": .text("refused"), "v": .unsigned(1)],
            ["type": .text("refused"), "v": .unsigned(1), "reason": .text("x"), "message": .unsigned(3)],
        ] {
            #expect(throws: RelayProtocolError.self) { try RelayMessage(decoding: body(map)) }
        }
        #expect(throws: RelayProtocolError.self) { try RelayMessage(decoding: [0xa1]) }
        #expect(throws: RelayProtocolError.self) { try RelayMessage(decoding: [0x01]) }
    }

    @Test func readerRefusesAnOversizedFrameFromItsPrefixAndKeepsTheRemainder() throws {
        var reader = RelayMessageReader()
        reader.append(Framing.frame([UInt8](repeating: 0, count: RelayProtocol.maximumMessageLength + 1)).prefix(3).map { $0 })
        #expect(throws: RelayProtocolError.messageTooLarge(length: RelayProtocol.maximumMessageLength + 1)) { try reader.next() }

        var split = RelayMessageReader()
        let bytes = RelayMessage.accepted.encoded() + [1, 2, 3]
        split.append(Array(bytes.prefix(5)))
        #expect(try split.next() == nil)
        split.append(Array(bytes.dropFirst(5)))
        #expect(try split.next() == .accepted)
        #expect(split.takeRemainder() == [1, 2, 3])
    }

    private func decode(_ framed: [UInt8]) throws -> RelayMessage {
        var reader = RelayMessageReader()
        reader.append(framed)
        guard let message = try reader.next() else { throw Unexpected(nil) }
        return message
    }

    private func expectRoundTrip(_ message: RelayMessage) throws {
        #expect(try decode(message.encoded()) == message)
    }

    struct Unexpected: Error {
        let message: RelayMessage?
        init(_ message: RelayMessage?) { self.message = message }
    }
}
