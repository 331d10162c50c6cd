import Crypto
import SNaP2PIdentity
import SNaP2PWire
import Testing
import TestSupport

@testable import SNaP2PNoise
@testable import SNaP2PSession

/// The Noise key schedule negotiated in message 1 and 2: every policy against every policy, a
/// listener that meets offers it does not understand, and offers altered or stripped in transit.
@Suite struct NoiseNegotiationTests {
    /// The offer every Swift dialer sends unless it is `.referenceOnly`.
    static let offer = NoiseScheduleOffer(schedules: [.standard]).encoded()

    // MARK: The offer's bytes

    @Test func theOfferIsTheThirteenBytesTheReferenceVectorCarries() {
        #expect(Self.offer == [UInt8](hex: "a1656e6f697365816473746431"))
        #expect(Self.offer == [UInt8](hex: Vectors.noiseReferenceMessage1Payload["msg1_payload"] as! String))
        #expect(NoiseScheduleOffer(payload: Self.offer)?.schedules == [.standard])
    }

    /// A listener reads what it understands and ignores the rest; anything else is no offer.
    @Test(arguments: [
        ("", [NoiseKeySchedule]?.none),  // every reference dialer
        ("00", nil),  // a CBOR integer
        ("ff", nil),  // not CBOR
        ("a1656e6f6973656473746431", nil),  // {"noise": "std1"}
        ("a1656e6f69736581647374643100", nil),  // the offer and a trailing byte
        ("a1656e6f69736580", []),  // {"noise": []}
        ("a1656e6f697365816473746439", []),  // {"noise": ["std9"]}: only a later version
        ("a2656e6f6973658264737464396473746431617601", [.standard]),  // {"noise": ["std9", "std1"], "v": 1}
        ("a1656e6f69736582016473746431", [.standard]),  // {"noise": [1, "std1"]}
        ("a2656e6f69736581647374643163706164582d000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000", [.standard]),  // 64 bytes: {"noise": ["std1"], "pad": h'00' * 45}
        ("a2656e6f69736581647374643163706164582e00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000", nil),  // 65 bytes: over the limit, not looked at
    ])
    func offersAreReadLeniently(hex: String, expected: [NoiseKeySchedule]?) {
        #expect(NoiseScheduleOffer(payload: [UInt8](hex: hex))?.schedules == expected, "\(hex)")
    }

    // MARK: Policy against policy

    /// How a pairing of policies ends: on a schedule, or refused by one side.
    enum Expected: Sendable {
        case established(NoiseKeySchedule)
        /// This side refuses with `.standardNoiseRequired`; the other hears VERSION_UNSUPPORTED.
        case refusedBy(HandshakeRole)
    }

    @Test(arguments: [
        (NoiseSchedulePolicy.preferStandard, NoiseSchedulePolicy.preferStandard, Expected.established(.standard)),
        (.preferStandard, .requireStandard, .established(.standard)),
        (.preferStandard, .referenceOnly, .established(.reference)),
        (.requireStandard, .preferStandard, .established(.standard)),
        (.requireStandard, .requireStandard, .established(.standard)),
        (.requireStandard, .referenceOnly, .refusedBy(.initiator)),
        (.referenceOnly, .preferStandard, .established(.reference)),
        (.referenceOnly, .requireStandard, .refusedBy(.responder)),
        (.referenceOnly, .referenceOnly, .established(.reference)),
    ])
    func everyPolicyPairing(dialerPolicy: NoiseSchedulePolicy, listenerPolicy: NoiseSchedulePolicy, expected: Expected) async throws {
        let run = try await Self.run(dialerPolicy: dialerPolicy, listenerPolicy: listenerPolicy)
        switch expected {
        case .established(let schedule):
            let dialer = try #require(run.dialer.session, "\(String(describing: run.dialer.error))")
            let listener = try #require(run.listener.session, "\(String(describing: run.listener.error))")
            #expect(dialer.noiseSchedule == schedule && listener.noiseSchedule == schedule)
            #expect(dialer.handshakeHash == listener.handshakeHash)
            // Message 1 carries the offer unless the dialer behaves as the reference.
            #expect(run.frames[0].body.count == (dialerPolicy == .referenceOnly ? 32 : 32 + Self.offer.count))
        case .refusedBy(let role):
            let (refuser, refused) = role == .initiator ? (run.dialer, run.listener) : (run.listener, run.dialer)
            let refusal = try #require(refuser.error)
            guard case .standardNoiseRequired = refusal.reason else {
                Issue.record("\(refusal)")
                return
            }
            #expect(refusal.code == .versionUnsupported)
            // The other side is told why, in plaintext, instead of waiting for a timeout.
            let heard = try #require(refused.error)
            guard case .refusedByPeer = heard.reason else {
                Issue.record("\(heard)")
                return
            }
            #expect(heard.code == .versionUnsupported)
            #expect(heard.remoteReason == "Standard Noise required")
        }
    }

    /// Against the recorded reference listener, our default dialer ends on the reference schedule
    /// with the keys the reference computes: the offer vector's message 2 authenticates under it.
    @Test func aDialerReadsTheReferenceListenersMessage2FromTheVector() throws {
        let vector = Vectors.noiseReferenceMessage1Payload
        func hex(_ path: Any...) -> [UInt8] {
            var node: Any = vector
            for step in path { node = Vectors.value(node, step) }
            return [UInt8](hex: node as! String)
        }
        var dialer = NoiseXXHandshake(
            role: .initiator,
            schedule: .reference,
            staticKey: try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: hex("initiator", "static_private")),
            ephemeralKey: try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: hex("initiator", "ephemeral_private"))
        )
        #expect(try dialer.writeMessage(payload: Self.offer) == hex("messages", 0, "hex"))
        var standard = dialer
        try standard.select(schedule: .standard)
        #expect(throws: NoiseError.decryptFailed) { try standard.readMessage(hex("messages", 1, "hex")) }
        _ = try dialer.readMessage(hex("messages", 1, "hex"))
        #expect(try dialer.writeMessage() == hex("messages", 2, "hex"))
        #expect(try dialer.split().sender.key.bytes == hex("split", "initiator_send_key"))
    }

    // MARK: What a listener does with offers it does not understand

    @Test(arguments: ["ff", "a1656e6f697365816473746439", "a1656e6f6973656473746431", "00"])
    func aListenerAnswersAnOfferItDoesNotUnderstandOnTheReferenceSchedule(payloadHex: String) async throws {
        let listenerPeer = try await TestPeer.make()
        var listener = HandshakeStateMachine(configuration: listenerPeer.configuration(.responder))
        _ = listener.start(now: TestPeer.now)
        var dialer = NoiseXXHandshake(
            role: .initiator,
            schedule: .reference,
            staticKey: Curve25519.KeyAgreement.PrivateKey(),
            ephemeralKey: Curve25519.KeyAgreement.PrivateKey()
        )
        let actions = listener.receive(frame: try dialer.writeMessage(payload: [UInt8](hex: payloadHex)), now: TestPeer.now)
        #expect(actions.closeError == nil)
        let message2 = try #require(actions.sentFrames.first)
        #expect(try dialer.readMessage(message2) == [])
    }

    // MARK: Offers altered in transit

    /// Rewrites of message 1's offer a party in the middle might try.
    static let alterations: [(name: String, rewrite: @Sendable ([UInt8]) -> [UInt8])] = [
        ("stripped", { Array($0.prefix(32)) }),
        ("renamed to a later version", { $0.prefix(32) + [UInt8](hex: "a1656e6f697365816473746439") }),
        ("truncated", { Array($0.dropLast()) }),
        ("re-encoded with a second name", { $0.prefix(32) + [UInt8](hex: "a1656e6f69736582647374643164737464") + [0x31] }),
    ]

    @Test(arguments: 0..<4, [NoiseSchedulePolicy.preferStandard, .requireStandard, .referenceOnly])
    func anAlteredOfferFailsTheHandshakeOnBothSides(alteration: Int, listenerPolicy: NoiseSchedulePolicy) async throws {
        let (name, rewrite) = Self.alterations[alteration]
        let run = try await Self.run(dialerPolicy: .preferStandard, listenerPolicy: listenerPolicy) { index, body in
            index == 0 ? rewrite(body) : body
        }
        #expect(run.dialer.session == nil && run.listener.session == nil, "\(name)")
        let dialerError = try #require(run.dialer.error)
        let listenerError = try #require(run.listener.error)
        if listenerPolicy == .requireStandard, case .standardNoiseRequired = listenerError.reason {
            // The listener saw no offer it understands and refused before any key existed.
            #expect(dialerError.code == .versionUnsupported, "\(name)")
            return
        }
        // Whatever schedule the listener chose, message 2 authenticates under none the dialer tries.
        guard case .noise(.decryptFailed) = dialerError.reason else {
            Issue.record("\(name): \(dialerError)")
            return
        }
        #expect(dialerError.code == .handshakeFailed)
        guard case .refusedByPeer = listenerError.reason else {
            Issue.record("\(name): \(listenerError)")
            return
        }
        #expect(listenerError.code == .handshakeFailed, "\(name)")
        #expect(listenerError.remoteReason == "Noise message 2 failed to authenticate")
    }

    // MARK: Stealth

    @Test func theOfferRidesInMessage1AfterTheKnock() async throws {
        let dialerPeer = try await TestPeer.make()
        let listenerPeer = try await TestPeer.make()
        let tokens = InviteTokenStore()
        let token = tokens.issue()
        let run = HandshakeRun(
            dialer: HandshakeStateMachine(configuration: dialerPeer.configuration(.initiator, inviteToken: token)),
            listener: HandshakeStateMachine(configuration: listenerPeer.configuration(.responder, visibility: .stealth, verifier: tokens))
        )
        #expect(run.dialer.session?.noiseSchedule == .standard)
        #expect(run.listener.session?.noiseSchedule == .standard)
        // KNOCK, KNOCK_RESPONSE, then message 1 with the offer.
        #expect(run.frames[2].body.suffix(Self.offer.count) == Self.offer[...])
        #expect(run.frames[2].body.count == 32 + Self.offer.count)
    }

    /// Found by the handshake fuzz target: past a valid KNOCK, a stealth listener that requires
    /// standard Noise still refuses a dialer that offers none, in plaintext, with VERSION_UNSUPPORTED.
    @Test func aStealthListenerRequiringStandardRefusesAfterTheKnock() async throws {
        let dialerPeer = try await TestPeer.make()
        let listenerPeer = try await TestPeer.make()
        let tokens = InviteTokenStore()
        let token = tokens.issue()
        let run = HandshakeRun(
            dialer: HandshakeStateMachine(configuration: dialerPeer.configuration(.initiator, inviteToken: token, noisePolicy: .referenceOnly)),
            listener: HandshakeStateMachine(configuration: listenerPeer.configuration(
                .responder, visibility: .stealth, verifier: tokens, noisePolicy: .requireStandard))
        )
        #expect(run.listener.error?.code == .versionUnsupported)
        #expect(run.dialer.error?.code == .versionUnsupported)
        #expect(try run.frames.map { try? ControlMessage.decode($0.body) }[3] == .authFail(code: .versionUnsupported, reason: "Standard Noise required"))
    }

    // MARK: Helpers

    static func run(
        dialerPolicy: NoiseSchedulePolicy,
        listenerPolicy: NoiseSchedulePolicy,
        tamper: (Int, [UInt8]) -> [UInt8] = { $1 }
    ) async throws -> HandshakeRun {
        let dialer = try await TestPeer.make()
        let listener = try await TestPeer.make()
        return HandshakeRun(
            dialer: HandshakeStateMachine(configuration: dialer.configuration(.initiator, noisePolicy: dialerPolicy)),
            listener: HandshakeStateMachine(configuration: listener.configuration(.responder, noisePolicy: listenerPolicy)),
            tamper: tamper
        )
    }
}
