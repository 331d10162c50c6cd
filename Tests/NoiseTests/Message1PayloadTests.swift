import Crypto
import Testing
import TestSupport

@testable import SNaP2PNoise

/// `noise-reference-msg1-payload.json`: the reference's own Noise class completing a fixed-key
/// handshake whose message 1 carries SNaP2P's 13-byte schedule offer, and the same handshake
/// without it. The reference ignores the payload but mixes it into `h`, which is what makes the
/// offer impossible to strip (docs/PROTOCOL-NOTES.md).
@Suite struct Message1PayloadTests {
    /// One recorded run: with the offer in message 1, or with an empty payload.
    enum Run: CaseIterable, Sendable {
        case withOffer
        case withoutOffer

        var node: Any {
            switch self {
            case .withOffer: Vectors.noiseReferenceMessage1Payload
            case .withoutOffer: Vectors.value(Vectors.noiseReferenceMessage1Payload, "without_payload")
            }
        }

        func hex(_ path: Any...) -> [UInt8] {
            var value: Any = node
            for step in path { value = Vectors.value(value, step) }
            return [UInt8](hex: value as! String)
        }

        func handshakes() -> (initiator: NoiseXXHandshake, responder: NoiseXXHandshake) {
            func side(_ role: HandshakeRole, _ name: String) -> NoiseXXHandshake {
                NoiseXXHandshake(
                    role: role,
                    schedule: .reference,
                    staticKey: x25519Key(hex(name, "static_private")),
                    ephemeralKey: x25519Key(hex(name, "ephemeral_private"))
                )
            }
            return (side(.initiator, "initiator"), side(.responder, "responder"))
        }
    }

    @Test(arguments: Run.allCases)
    func reproducesEveryMessageAndTheSplitKeys(run: Run) throws {
        var (initiator, responder) = run.handshakes()
        let payload = run.hex("msg1_payload")

        let message1 = try initiator.writeMessage(payload: payload)
        #expect(message1 == run.hex("messages", 0, "hex"))
        #expect(try responder.readMessage(message1) == run.hex("responder_read_msg1_payload"))
        #expect(responder.handshakeHash == run.hex("intermediate_h", "after_msg1"))

        let message2 = try responder.writeMessage()
        #expect(message2 == run.hex("messages", 1, "hex"))
        #expect(try initiator.readMessage(message2) == [])
        #expect(initiator.handshakeHash == run.hex("intermediate_h", "after_msg2"))

        let message3 = try initiator.writeMessage()
        #expect(message3 == run.hex("messages", 2, "hex"))
        #expect(try responder.readMessage(message3) == [])

        #expect(initiator.handshakeHash == run.hex("handshake_hash"))
        #expect(responder.handshakeHash == run.hex("handshake_hash"))
        var initiatorCiphers = try initiator.split()
        var responderCiphers = try responder.split()
        #expect(initiatorCiphers.sender.key.bytes == run.hex("split", "initiator_send_key"))
        #expect(initiatorCiphers.receiver.key.bytes == run.hex("split", "initiator_receive_key"))
        #expect(responderCiphers.sender.key.bytes == run.hex("split", "responder_send_key"))
        #expect(responderCiphers.receiver.key.bytes == run.hex("split", "responder_receive_key"))

        #expect(try initiatorCiphers.sender.encrypt(run.hex("transport", 0, "plaintext")) == run.hex("transport", 0, "ciphertext"))
        #expect(try responderCiphers.sender.encrypt(run.hex("transport", 1, "plaintext")) == run.hex("transport", 1, "ciphertext"))
    }

    /// The offer is the 13 bytes the vector's message 1 carries.
    @Test func theRecordedPayloadIsTheOffer() {
        #expect(Run.withOffer.hex("msg1_payload").count == 13)
        #expect(Run.withOffer.hex("messages", 0, "hex").count == 32 + 13)
        #expect(Run.withoutOffer.hex("messages", 0, "hex").count == 32)
    }

    /// Stripping the payload from message 1 changes `h`: the responder's message 2 then fails to
    /// authenticate at the initiator, whichever schedule it tries.
    @Test func strippedPayloadFailsMessage2UnderEitherSchedule() throws {
        var (initiator, responder) = Run.withOffer.handshakes()
        let message1 = try initiator.writeMessage(payload: Run.withOffer.hex("msg1_payload"))
        _ = try responder.readMessage(Array(message1.prefix(32)))
        for schedule in [NoiseKeySchedule.reference, .standard] {
            var respondingWith = responder
            try respondingWith.select(schedule: schedule)
            let message2 = try respondingWith.writeMessage()
            for tried in [NoiseKeySchedule.reference, .standard] {
                var attempt = initiator
                try attempt.select(schedule: tried)
                #expect(throws: NoiseError.decryptFailed) { try attempt.readMessage(message2) }
            }
        }
    }

    /// The schedule may change until the first MixKey and not after.
    @Test func scheduleIsChosenBeforeTheFirstKeyOnly() throws {
        var (initiator, responder) = Run.withOffer.handshakes()
        let message1 = try initiator.writeMessage(payload: Run.withOffer.hex("msg1_payload"))
        _ = try responder.readMessage(message1)
        try responder.select(schedule: .standard)
        #expect(responder.schedule == .standard)
        let message2 = try responder.writeMessage()
        #expect(throws: NoiseError.invalidState) { try responder.select(schedule: .reference) }

        var wrong = initiator
        #expect(throws: NoiseError.decryptFailed) { try wrong.readMessage(message2) }
        try initiator.select(schedule: .standard)
        #expect(try initiator.readMessage(message2) == [])
        #expect(throws: NoiseError.invalidState) { try initiator.select(schedule: .reference) }
    }
}
