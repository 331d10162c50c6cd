import Crypto
import Testing
import TestSupport

@testable import SNaP2PNoise

/// `reference.json` → `noise`: the TypeScript reference's handshake, byte for byte, with its HKDF quirk.
@Suite struct ReferenceScheduleTests {
    @Test func initialStateHashesTheProtocolName() {
        let (initiator, _) = referenceHandshakes()
        #expect(initiator.handshakeHash == referenceNoise("initial_h"))
        #expect(initiator.symmetricState.chainingKey.bytes == referenceNoise("initial_ck"))
        #expect(initiator.symmetricState.cipher?.nonce == nil)
    }

    @Test func everyMessageAndIntermediateStateMatches() throws {
        var (initiator, responder) = referenceHandshakes()

        let msg1 = try initiator.writeMessage()
        #expect(msg1 == referenceNoise("msg1"))
        #expect(initiator.handshakeHash == referenceNoise("state_after_msg1_initiator", "h"))
        #expect(initiator.symmetricState.chainingKey.bytes == referenceNoise("state_after_msg1_initiator", "ck"))
        #expect(initiator.symmetricState.cipher?.nonce == nil)
        #expect(try responder.readMessage(msg1) == [])

        let msg2 = try responder.writeMessage()
        #expect(msg2 == referenceNoise("msg2"))
        #expect(responder.handshakeHash == referenceNoise("state_after_msg2_responder", "h"))
        #expect(responder.symmetricState.chainingKey.bytes == referenceNoise("state_after_msg2_responder", "ck"))
        #expect(responder.symmetricState.cipher?.key.bytes == referenceNoise("state_after_msg2_responder", "k"))
        #expect(responder.symmetricState.cipher?.nonce == 1)
        #expect(try initiator.readMessage(msg2) == [])
        #expect(initiator.remoteStaticPublicKey == referenceNoise("remote_static_seen_by_initiator"))

        let msg3 = try initiator.writeMessage()
        #expect(msg3 == referenceNoise("msg3"))
        #expect(initiator.handshakeHash == referenceNoise("state_after_msg3_initiator", "h"))
        #expect(initiator.symmetricState.chainingKey.bytes == referenceNoise("state_after_msg3_initiator", "ck"))
        #expect(initiator.symmetricState.cipher?.key.bytes == referenceNoise("state_after_msg3_initiator", "k"))
        #expect(initiator.symmetricState.cipher?.nonce == 1)
        #expect(try responder.readMessage(msg3) == [])
        #expect(responder.remoteStaticPublicKey == referenceNoise("remote_static_seen_by_responder"))

        #expect(initiator.isComplete && responder.isComplete)
        #expect(initiator.handshakeHash == referenceNoise("handshake_hash"))
        #expect(responder.handshakeHash == referenceNoise("handshake_hash"))
    }

    @Test func splitGivesTheRecordedTransportKeys() throws {
        let (initiator, responder) = try completedHandshakes()
        let initiatorCiphers = try initiator.split()
        let responderCiphers = try responder.split()
        #expect(initiatorCiphers.sender.key.bytes == referenceNoise("initiator_send_key"))
        #expect(initiatorCiphers.receiver.key.bytes == referenceNoise("initiator_recv_key"))
        #expect(responderCiphers.sender.key.bytes == referenceNoise("responder_send_key"))
        #expect(responderCiphers.receiver.key.bytes == referenceNoise("responder_recv_key"))
        #expect(initiatorCiphers.sender.nonce == 0 && initiatorCiphers.receiver.nonce == 0)
    }

    @Test func transportCiphertextsMatchInBothDirections() throws {
        let (initiator, responder) = try completedHandshakes()
        var initiatorCiphers = try initiator.split()
        var responderCiphers = try responder.split()
        let ping = referenceNoise("transport", "plaintext_ping_cbor")

        for (counter, name) in ["initiator_encrypt_nonce0", "initiator_encrypt_nonce1"].enumerated() {
            let sealed = try initiatorCiphers.sender.encrypt(ping)
            #expect(sealed == referenceNoise("transport", name), "initiator nonce \(counter)")
            #expect(try responderCiphers.receiver.decrypt(sealed) == ping)
        }
        for (counter, name) in ["responder_encrypt_nonce0", "responder_encrypt_nonce1"].enumerated() {
            let sealed = try responderCiphers.sender.encrypt(ping)
            #expect(sealed == referenceNoise("transport", name), "responder nonce \(counter)")
            #expect(try initiatorCiphers.receiver.decrypt(sealed) == ping)
        }
        #expect(initiatorCiphers.sender.nonce == 2 && responderCiphers.receiver.nonce == 2)
    }

    @Test func sealAppendsAfterExistingBytes() throws {
        let (initiator, _) = try completedHandshakes()
        var sender = try initiator.split().sender
        var frame: [UInt8] = [0x22]
        try sender.seal(referenceNoise("transport", "plaintext_ping_cbor"), appendingTo: &frame)
        #expect(frame == referenceNoise("transport", "initiator_nonce0_framed"))
    }

    @Test func hkdfQuirkMatchesTheReferenceAndDiffersFromStandardNoise() {
        func quirk(_ name: String) -> [UInt8] { referenceNoise("hkdf_quirk", name) }
        let ckBeforeEE = SymmetricKey(data: quirk("ck_before_ee"))
        let output = quirk("hkdf_output")

        let afterEE = quirk("dh_ee").withUnsafeBytes {
            NoiseKeySchedule.reference.mixKey(chainingKey: ckBeforeEE, inputKeyMaterial: $0)
        }
        #expect(afterEE.chainingKey.bytes == Array(output[0..<32]))
        #expect(afterEE.cipherKey.bytes == Array(output[32..<64]))
        #expect(afterEE.chainingKey.bytes == quirk("ck_after_ee"))

        let afterES = quirk("dh_es").withUnsafeBytes {
            NoiseKeySchedule.reference.mixKey(chainingKey: afterEE.chainingKey, inputKeyMaterial: $0)
        }
        #expect(afterES.chainingKey.bytes == quirk("ck_after_es"))
        #expect(afterES.cipherKey.bytes == quirk("k_after_es"))

        let standard = quirk("dh_ee").withUnsafeBytes {
            NoiseKeySchedule.standard.mixKey(chainingKey: ckBeforeEE, inputKeyMaterial: $0)
        }
        #expect(standard.chainingKey.bytes == quirk("standard_noise_hkdf_would_give_ck_after_ee"))
        #expect(standard.cipherKey.bytes == quirk("standard_noise_hkdf_would_give_k_after_ee"))
    }

    @Test func longerFirstMessageCarriesAPlaintextPayload() throws {
        var (initiator, responder) = referenceHandshakes()
        let extension_: [UInt8] = Array("v2?".utf8)
        let msg1 = try initiator.writeMessage(payload: extension_)
        #expect(msg1.count == 32 + extension_.count)
        #expect(Array(msg1[32...]) == extension_)
        #expect(try responder.readMessage(msg1) == extension_)
        _ = try initiator.readMessage(try responder.writeMessage())
        _ = try responder.readMessage(try initiator.writeMessage())
        #expect(initiator.handshakeHash == responder.handshakeHash)
        #expect(initiator.handshakeHash != referenceNoise("handshake_hash"))
    }

    @Test func payloadsAfterMessageOneAreEncrypted() throws {
        var (initiator, responder) = referenceHandshakes()
        _ = try responder.readMessage(try initiator.writeMessage())
        let secret: [UInt8] = Array("responder secret".utf8)
        let msg2 = try responder.writeMessage(payload: secret)
        #expect(msg2.count == 96 + secret.count)
        #expect(Array(msg2[80..<80 + secret.count]) != secret)
        #expect(try initiator.readMessage(msg2) == secret)
    }
}
