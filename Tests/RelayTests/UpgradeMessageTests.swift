import SNaP2PRelay
import SNaP2PWire
import Testing

/// The `upgrade-1` messages' exact bytes (docs/NAT-TRAVERSAL.md quotes these) and their decoding rules.
@Suite struct UpgradeMessageTests {
    func decode(_ frame: [UInt8]) throws -> UpgradeMessage? {
        var reader = UpgradeMessageReader()
        reader.append(frame)
        return try reader.next()
    }

    @Test func encodesCanonicallyAndRoundTrips() throws {
        let connect = UpgradeMessage.connect(addresses: ["198.51.100.1:61000", "10.0.1.2:40000"])
        #expect(Hex.encode(connect.encoded()) == "3aa365616464727382723139382e35312e3130302e313a36313030306e31302e302e312e323a3430303030647479706567636f6e6e656374617601")
        #expect(Hex.encode(UpgradeMessage.sync.encoded()) == "0ea264747970656473796e63617601")
        #expect(Hex.encode(UpgradeMessage.switched.encoded()) == "12a26474797065687377697463686564617601")
        for message in [connect, .sync, .switched, .connect(addresses: [])] {
            #expect(try decode(message.encoded()) == message)
        }
    }

    @Test func addressesOutsideTheLimitsAreNotSentAndRefusedWhenReceived() throws {
        let long = String(repeating: "1", count: UpgradeMessage.maximumAddressLength + 1)
        let many = (0..<20).map { "10.0.0.\($0):1" }
        #expect(try decode(UpgradeMessage.connect(addresses: [long, ""] + many).encoded()) == .connect(addresses: Array(many.prefix(8))))

        let tooMany = Framing.frame(CBOR.map(["type": .text("connect"), "v": .unsigned(1), "addrs": .array(many.map { .text($0) })]).encoded())
        #expect(throws: RelayProtocolError.self) { try decode(tooMany) }
        let notText = Framing.frame(CBOR.map(["type": .text("connect"), "v": .unsigned(1), "addrs": .array([.unsigned(1)])]).encoded())
        #expect(throws: RelayProtocolError.self) { try decode(notText) }
        let missing = Framing.frame(CBOR.map(["type": .text("connect"), "v": .unsigned(1)]).encoded())
        #expect(throws: RelayProtocolError.self) { try decode(missing) }
        let later = Framing.frame(CBOR.map(["type": .text("sync"), "v": .unsigned(2)]).encoded())
        #expect(throws: RelayProtocolError.unsupportedVersion(2)) { try decode(later) }
        let unknown = Framing.frame(CBOR.map(["type": .text("punch"), "v": .unsigned(1)]).encoded())
        #expect(throws: RelayProtocolError.self) { try decode(unknown) }
        let huge = [0xff, 0xff, 0x03] as [UInt8]
        #expect(throws: RelayProtocolError.messageTooLarge(length: 65535)) { try decode(huge) }
    }
}
