import Crypto
import Testing
import TestSupport

@testable import SNaP2PNoise

/// `noise-standard-xx.json`: the published cacophony vector for Noise_XX_25519_ChaChaPoly_SHA256
/// with the standard key schedule, handshake and transport messages.
@Suite struct StandardScheduleTests {
    @Test func cacophonyVectorRoundTripsByteForByte() throws {
        let vector = Vectors.value(Vectors.noiseStandardXX, "vectors", 0)
        func bytes(_ key: String) -> [UInt8] { [UInt8](hex: Vectors.value(vector, key) as! String) }
        #expect(Vectors.value(vector, "protocol_name") as! String == NoiseSymmetricState.protocolName)

        var initiator = NoiseXXHandshake(
            role: .initiator,
            schedule: .standard,
            staticKey: x25519Key(bytes("init_static")),
            ephemeralKey: x25519Key(bytes("init_ephemeral")),
            prologue: bytes("init_prologue")
        )
        var responder = NoiseXXHandshake(
            role: .responder,
            schedule: .standard,
            staticKey: x25519Key(bytes("resp_static")),
            ephemeralKey: x25519Key(bytes("resp_ephemeral")),
            prologue: bytes("resp_prologue")
        )

        let messages = Vectors.value(vector, "messages") as! [[String: String]]
        var initiatorCiphers: NoiseTransportCiphers?
        var responderCiphers: NoiseTransportCiphers?
        for (index, message) in messages.enumerated() {
            let payload = [UInt8](hex: message["payload"]!)
            let expected = [UInt8](hex: message["ciphertext"]!)
            // Messages alternate, starting with the initiator, through the handshake and after it.
            let fromInitiator = index % 2 == 0
            if index < 3 {
                if fromInitiator {
                    #expect(try initiator.writeMessage(payload: payload) == expected, "message \(index)")
                    #expect(try responder.readMessage(expected) == payload, "message \(index)")
                } else {
                    #expect(try responder.writeMessage(payload: payload) == expected, "message \(index)")
                    #expect(try initiator.readMessage(expected) == payload, "message \(index)")
                }
                if index == 2 {
                    #expect(initiator.handshakeHash == bytes("handshake_hash"))
                    #expect(responder.handshakeHash == bytes("handshake_hash"))
                    initiatorCiphers = try initiator.split()
                    responderCiphers = try responder.split()
                }
            } else if fromInitiator {
                #expect(try initiatorCiphers!.sender.encrypt(payload) == expected, "message \(index)")
                #expect(try responderCiphers!.receiver.decrypt(expected) == payload, "message \(index)")
            } else {
                #expect(try responderCiphers!.sender.encrypt(payload) == expected, "message \(index)")
                #expect(try initiatorCiphers!.receiver.decrypt(expected) == payload, "message \(index)")
            }
        }
        #expect(messages.count == 6)
    }

    @Test func schedulesDisagreeOnTheSameInputs() throws {
        var (referenceInitiator, referenceResponder) = referenceHandshakes(schedule: .reference)
        var (standardInitiator, standardResponder) = referenceHandshakes(schedule: .standard)
        let msg1 = try referenceInitiator.writeMessage()
        #expect(try standardInitiator.writeMessage() == msg1)
        _ = try referenceResponder.readMessage(msg1)
        _ = try standardResponder.readMessage(msg1)
        let referenceMsg2 = try referenceResponder.writeMessage()
        let standardMsg2 = try standardResponder.writeMessage()
        #expect(referenceMsg2[0..<32] == standardMsg2[0..<32])
        #expect(referenceMsg2[32...] != standardMsg2[32...])
        // A standard-schedule initiator cannot read a reference-schedule responder.
        #expect(throws: NoiseError.decryptFailed) { try standardInitiator.readMessage(referenceMsg2) }
    }
}
