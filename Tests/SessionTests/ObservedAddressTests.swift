import SNaP2PIdentity
import SNaP2PWire
import Testing
import TestSupport

@testable import SNaP2PSession

/// obs1: each AUTH tells the peer the address its transport sees for it, inside `hd` next to the
/// alias card; peers without obs1 (the TypeScript reference) see `hd` exactly as before.
@Suite struct ObservedAddressTests {
    /// NAT 1's public address in the NAT tests, and a port it mapped.
    static let natMapping = ObservedAddress(ip: [203, 0, 113, 11], port: 40001)!
    static let listenerAddress = ObservedAddress(ip: [203, 0, 113, 1], port: 7000)!

    @Test func theWireFormIsTheAddressThenThePortBigEndian() throws {
        #expect(Self.natMapping.encoded == [0xcb, 0x00, 0x71, 0x0b, 0x9c, 0x41])
        let ipv6 = try #require(ObservedAddress(ip: [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [1], port: 443))
        #expect(ipv6.encoded.count == 18)
        #expect(ObservedAddress(encoded: ipv6.encoded) == ipv6)
        #expect(ObservedAddress(encoded: Self.natMapping.encoded) == Self.natMapping)
        for length in [0, 4, 5, 7, 16, 17, 19] {
            #expect(ObservedAddress(encoded: Array(repeating: 1, count: length)) == nil, "\(length) bytes")
        }
    }

    @Test func anIPv4MappedAddressIsKeptAsIPv4() {
        let mapped = ObservedAddress(ip: Array(repeating: 0, count: 10) + [0xff, 0xff, 203, 0, 113, 11], port: 40001)
        #expect(mapped == Self.natMapping)
    }

    /// The byte example of docs/NAT-TRAVERSAL.md.
    @Test func underObs1HandshakeDataIsAMapOfCardAndObservedAddress() {
        let features = SessionFeatures(local: ["fc1", "alias1", "obs1"], remote: ["alias1", "obs1"])
        let data = HandshakeData(aliasCard: [0xaa], observedAddress: Self.natMapping)
        let bytes = data.encoded(for: features)
        #expect(bytes == [
            0xa2,  // map, 2 entries
            0x64, 0x63, 0x61, 0x72, 0x64, 0x41, 0xaa,  // "card": the alias card's bytes
            0x63, 0x6f, 0x62, 0x73, 0x46, 0xcb, 0x00, 0x71, 0x0b, 0x9c, 0x41,  // "obs": 203.0.113.11:40001
        ])
        #expect(HandshakeData(decoding: bytes, for: features) == data)
    }

    @Test func withoutObs1HandshakeDataIsTheCardAloneOrNothing() {
        let data = HandshakeData(aliasCard: [0xaa, 0xbb], observedAddress: Self.natMapping)
        let aliasOnly = SessionFeatures(local: ["alias1", "obs1"], remote: ["alias1"])
        #expect(data.encoded(for: aliasOnly) == [0xaa, 0xbb])
        #expect(HandshakeData(decoding: [0xaa, 0xbb], for: aliasOnly) == HandshakeData(aliasCard: [0xaa, 0xbb], observedAddress: nil))
        let none = SessionFeatures(local: ["alias1", "obs1"], remote: [])
        #expect(data.encoded(for: none).isEmpty)
        #expect(HandshakeData(decoding: [0xaa], for: none) == HandshakeData(aliasCard: nil, observedAddress: nil))
    }

    @Test func obs1WithoutAlias1CarriesNoCardAndMalformedPartsAreDropped() {
        let obsOnly = SessionFeatures(local: ["obs1"], remote: ["obs1"])
        let data = HandshakeData(aliasCard: [0xaa], observedAddress: Self.natMapping)
        #expect(HandshakeData(decoding: data.encoded(for: obsOnly), for: obsOnly) == HandshakeData(aliasCard: nil, observedAddress: Self.natMapping))
        let nothing = HandshakeData(aliasCard: nil, observedAddress: nil)
        #expect(HandshakeData(decoding: [0xff, 0x00], for: obsOnly) == nothing)
        #expect(HandshakeData(decoding: CBOR.map(["obs": .bytes([1, 2, 3])]).encoded(), for: obsOnly) == nothing)
        #expect(HandshakeData(decoding: CBOR.map(["obs": .text("203.0.113.11:1")]).encoded(), for: obsOnly) == nothing)
    }

    @Test func eachSideLearnsWhatThePeerSawItAsAndCardsStillCross() async throws {
        let alice = try await TestPeer.make()
        let bob = try await TestPeer.make()
        let aliceCard = try await AliasCardExchangeTests.card(for: alice, alias: "alice")
        let run = HandshakeRun(
            dialer: HandshakeStateMachine(configuration: alice.configuration(.initiator, aliasCard: aliceCard)),
            listener: HandshakeStateMachine(configuration: bob.configuration(.responder)),
            dialerObserves: Self.listenerAddress,
            listenerObserves: Self.natMapping
        )
        let dialer = try #require(run.dialer.session)
        let listener = try #require(run.listener.session)
        #expect(dialer.observedAddress == Self.natMapping)
        #expect(listener.observedAddress == Self.listenerAddress)
        #expect(try listener.remoteAliasCard?.get() == aliceCard)
    }

    @Test(arguments: [false, true])
    func nothingIsObservedUnlessBothAnnounceObs1(dialerAnnounces: Bool) async throws {
        let alice = try await TestPeer.make()
        let bob = try await TestPeer.make()
        let bobCard = try await AliasCardExchangeTests.card(for: bob, alias: "bob")
        let run = HandshakeRun(
            dialer: HandshakeStateMachine(configuration: alice.configuration(
                .initiator, capabilities: dialerAnnounces ? ["fc1", "alias1", "obs1"] : ["fc1", "alias1"])),
            listener: HandshakeStateMachine(configuration: bob.configuration(
                .responder, capabilities: dialerAnnounces ? ["fc1", "alias1"] : ["fc1", "alias1", "obs1"], aliasCard: bobCard)),
            dialerObserves: Self.listenerAddress,
            listenerObserves: Self.natMapping
        )
        let dialer = try #require(run.dialer.session)
        let listener = try #require(run.listener.session)
        #expect(dialer.observedAddress == nil && listener.observedAddress == nil)
        #expect(try dialer.remoteAliasCard?.get() == bobCard)
    }
}
