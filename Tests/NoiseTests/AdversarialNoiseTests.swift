import Crypto
import Testing
import TestSupport

@testable import SNaP2PNoise

/// Tampering, small-order keys, truncation, misuse and nonce exhaustion.
@Suite struct AdversarialNoiseTests {
    /// X25519 public keys that give an all-zero shared secret for every private key: 0, 1, the two
    /// order-8 points, p - 1, and p, p + 1 (non-canonical encodings of 0 and 1).
    static let smallOrderPoints: [String] = [
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ]

    @Test(arguments: smallOrderPoints)
    func responderRefusesSmallOrderEphemeral(point: String) throws {
        var (_, responder) = referenceHandshakes()
        _ = try responder.readMessage([UInt8](hex: point))
        #expect(throws: NoiseError.smallOrderPoint) { try responder.writeMessage() }
        #expect(throws: NoiseError.invalidState) { try responder.writeMessage() }
    }

    @Test(arguments: smallOrderPoints)
    func initiatorRefusesSmallOrderEphemeral(point: String) throws {
        var (initiator, responder) = referenceHandshakes()
        _ = try responder.readMessage(try initiator.writeMessage())
        var msg2 = try responder.writeMessage()
        msg2.replaceSubrange(0..<32, with: [UInt8](hex: point))
        #expect(throws: NoiseError.smallOrderPoint) { try initiator.readMessage(msg2) }
    }

    @Test func tamperedSecondMessageFails() throws {
        for index in [0, 40, 85, 95] {
            var (initiator, responder) = referenceHandshakes()
            _ = try responder.readMessage(try initiator.writeMessage())
            var msg2 = try responder.writeMessage()
            msg2[index] ^= 0x01
            // Flipping `e` changes ee and therefore every key after it; the static's tag catches it.
            #expect(throws: NoiseError.self, "byte \(index)") { try initiator.readMessage(msg2) }
            #expect(throws: NoiseError.invalidState) { try initiator.writeMessage() }
            #expect(initiator.remoteStaticPublicKey == nil || index >= 80)
        }
    }

    @Test func tamperedThirdMessageFails() throws {
        for index in [0, 47, 48, 63] {
            var (initiator, responder) = referenceHandshakes()
            _ = try responder.readMessage(try initiator.writeMessage())
            _ = try initiator.readMessage(try responder.writeMessage())
            var msg3 = try initiator.writeMessage()
            msg3[index] ^= 0x80
            #expect(throws: NoiseError.decryptFailed, "byte \(index)") { try responder.readMessage(msg3) }
            #expect(!responder.isComplete)
            #expect(throws: NoiseError.invalidState) { try responder.split() }
        }
    }

    @Test func truncatedMessagesAreRefusedBeforeAnyWork() throws {
        var (initiator, responder) = referenceHandshakes()
        let msg1 = try initiator.writeMessage()
        var fresh = responder
        #expect(throws: NoiseError.messageTooShort) { try fresh.readMessage(Array(msg1.dropLast())) }
        _ = try responder.readMessage(msg1)
        let msg2 = try responder.writeMessage()
        var early = initiator
        #expect(throws: NoiseError.messageTooShort) { try early.readMessage(Array(msg2.prefix(95))) }
        _ = try initiator.readMessage(msg2)
        let msg3 = try initiator.writeMessage()
        #expect(throws: NoiseError.messageTooShort) { try responder.readMessage(Array(msg3.prefix(63))) }
    }

    @Test func outOfTurnCallsAreRefused() throws {
        var (initiator, responder) = referenceHandshakes()
        #expect(throws: NoiseError.invalidState) { try responder.writeMessage() }
        #expect(throws: NoiseError.invalidState) { try initiator.readMessage([UInt8](repeating: 9, count: 32)) }
        #expect(throws: NoiseError.invalidState) { try initiator.split() }
        var (a, b) = try completedHandshakes()
        #expect(throws: NoiseError.invalidState) { try a.writeMessage() }
        #expect(throws: NoiseError.invalidState) { try b.readMessage([]) }
    }

    @Test func tamperedTransportFrameFailsWithoutMovingTheNonce() throws {
        let (initiator, responder) = try completedHandshakes()
        var sender = try initiator.split().sender
        var receiver = try responder.split().receiver
        var sealed = try sender.encrypt(Array("hello".utf8))
        sealed[sealed.count - 1] ^= 0x01
        var output: [UInt8] = [0xaa]
        #expect(throws: NoiseError.decryptFailed) { try receiver.open(sealed, appendingTo: &output) }
        #expect(output == [0xaa])
        #expect(receiver.nonce == 0)
        #expect(throws: NoiseError.messageTooShort) { try receiver.open([UInt8](repeating: 0, count: 15), appendingTo: &output) }
    }

    @Test func nonceRefusesToWrap() throws {
        let (initiator, responder) = try completedHandshakes()
        var sender = try initiator.split().sender
        var receiver = try responder.split().receiver
        sender.nonce = UInt64.max - 1
        receiver.nonce = UInt64.max - 1
        let last = try sender.encrypt([1, 2, 3])
        #expect(sender.nonce == UInt64.max)
        #expect(try receiver.decrypt(last) == [1, 2, 3])
        #expect(throws: NoiseError.nonceExhausted) { try sender.encrypt([4]) }
        #expect(throws: NoiseError.nonceExhausted) { try receiver.decrypt(last) }
        #expect(sender.nonce == UInt64.max && receiver.nonce == UInt64.max)
    }

    @Test func cipherStateRequiresA32ByteKey() {
        #expect(throws: NoiseError.invalidKey) { try NoiseCipherState(key: [UInt8](repeating: 1, count: 31)) }
        #expect(throws: Never.self) { try NoiseCipherState(key: [UInt8](repeating: 1, count: 32)) }
    }
}
