import Crypto
import SNaP2PNoise
import SNaP2PWire

/// `NoiseXXHandshake`: the responder reading messages 1 and 3, the initiator reading message 2,
/// raw and as an honest exchange with one tampered message.
///
/// Checks: short messages are refused as such; a small-order ephemeral key fails exactly when the
/// key is one of the small-order points; raw bytes never pass as message 2 or 3 (they would need
/// the AEAD key); after any error every call throws `invalidState`; an honest exchange completes
/// with matching payloads, static keys, handshake hashes and interoperable transport ciphers (a
/// failed decrypt leaves the counter in place); any change to any message makes some step fail.
enum NoiseTarget {
    /// X25519 public keys whose shared secret is zero for every private key, with bit 255 clear
    /// (X25519 ignores it): 0, 1, the two points of order 8, p - 1, p, p + 1.
    static let smallOrderPoints: Set<[UInt8]> = Set([
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ].map { try! Hex.decode($0) })

    static func isSmallOrder(_ key: ArraySlice<UInt8>) -> Bool {
        var masked = Array(key)
        masked[31] &= 0x7f
        return smallOrderPoints.contains(masked)
    }

    static let target = FuzzTarget("noise") { bytes in
        var input = FuzzInput(bytes)
        switch input.int(in: 0...3) {
        case 0: responderReadsRawMessages(&input)
        case 1: initiatorReadsRawMessage2(&input)
        default: honestExchange(&input)
        }
    }

    static func key(_ input: inout FuzzInput) -> Curve25519.KeyAgreement.PrivateKey {
        try! Curve25519.KeyAgreement.PrivateKey(rawRepresentation: input.paddedBytes(32))
    }

    static func handshake(_ role: HandshakeRole, _ input: inout FuzzInput, schedule: NoiseKeySchedule) -> NoiseXXHandshake {
        NoiseXXHandshake(role: role, schedule: schedule, staticKey: key(&input), ephemeralKey: key(&input))
    }

    static func schedule(_ input: inout FuzzInput) -> NoiseKeySchedule {
        input.bool() ? .standard : .reference
    }

    static func expectBroken(_ noise: inout NoiseXXHandshake, _ context: String) {
        invariant(!noise.isComplete, "\(context): complete after an error")
        invariant(Result { () throws(NoiseError) in try noise.readMessage([UInt8](repeating: 0, count: 96)) } == .failure(.invalidState), "\(context): read after an error")
        invariant(Result { () throws(NoiseError) in try noise.writeMessage() } == .failure(.invalidState), "\(context): write after an error")
        invariant((try? noise.split()) == nil, "\(context): split after an error")
    }

    /// The responder reads message 1 from raw bytes, answers, and must refuse a raw message 3.
    static func responderReadsRawMessages(_ input: inout FuzzInput) {
        var responder = handshake(.responder, &input, schedule: schedule(&input))
        let message1 = input.lengthPrefixedBytes()
        let payload2 = input.lengthPrefixedBytes(maximum: 64)
        let message3 = input.rest()

        let read1 = Result { () throws(NoiseError) in try responder.readMessage(message1) }
        guard message1.count >= 32 else {
            invariant(read1 == .failure(.messageTooShort), "a \(message1.count)-byte message 1 gave \(read1)")
            return expectBroken(&responder, "short message 1")
        }
        invariant(read1 == .success(Array(message1[32...])), "message 1's payload came back as \(read1)")

        let write2 = Result { () throws(NoiseError) in try responder.writeMessage(payload: payload2) }
        if isSmallOrder(message1[..<32]) {
            invariant(write2 == .failure(.smallOrderPoint), "small-order ephemeral accepted: \(write2)")
            return expectBroken(&responder, "small-order ephemeral")
        }
        guard case .success(let message2) = write2 else {
            return invariant(false, "message 2 failed for an ordinary key: \(write2)")
        }
        invariant(message2.count == 32 + 48 + payload2.count + 16, "message 2 is \(message2.count) bytes")

        let read3 = Result { () throws(NoiseError) in try responder.readMessage(message3) }
        let expected: NoiseError = message3.count < 64 ? .messageTooShort : .decryptFailed
        invariant(read3 == .failure(expected), "raw message 3 (\(message3.count) bytes) gave \(read3)")
        expectBroken(&responder, "raw message 3")
    }

    /// The initiator sends message 1 and must refuse raw bytes as message 2.
    static func initiatorReadsRawMessage2(_ input: inout FuzzInput) {
        var initiator = handshake(.initiator, &input, schedule: schedule(&input))
        let payload1 = input.lengthPrefixedBytes(maximum: 64)
        let message2 = input.rest()
        guard case .success(let message1) = Result(catching: { () throws(NoiseError) in try initiator.writeMessage(payload: payload1) }) else {
            return invariant(false, "message 1 failed")
        }
        invariant(message1.count == 32 + payload1.count, "message 1 is \(message1.count) bytes")
        let read2 = Result { () throws(NoiseError) in try initiator.readMessage(message2) }
        let expected: NoiseError =
            message2.count < 96 ? .messageTooShort : isSmallOrder(message2[..<32]) ? .smallOrderPoint : .decryptFailed
        invariant(read2 == .failure(expected), "raw message 2 (\(message2.count) bytes) gave \(read2)")
        expectBroken(&initiator, "raw message 2")
    }

    /// How a message in flight is altered.
    enum Tamper {
        case none
        case flipBit(message: Int, position: Int, bit: Int)
        case truncate(message: Int, by: Int)
        case append(message: Int, byte: UInt8)
        case smallOrderEphemeral(message: Int, point: Int)
        case prologue

        init(_ input: inout FuzzInput) {
            let message = input.int(in: 0...2)
            switch input.int(in: 0...7) {
            case 1: self = .flipBit(message: message, position: input.int(in: 0...65535), bit: input.int(in: 0...7))
            case 2: self = .truncate(message: message, by: input.int(in: 1...32))
            case 3: self = .append(message: message, byte: input.byte())
            case 4: self = .smallOrderEphemeral(message: message == 2 ? 0 : message, point: input.int(in: 0...13))
            case 5: self = .prologue
            default: self = .none
            }
        }

        func apply(_ bytes: [UInt8], index: Int) -> [UInt8] {
            var bytes = bytes
            switch self {
            case .flipBit(let message, let position, let bit) where message == index && !bytes.isEmpty:
                bytes[position % bytes.count] ^= 1 << UInt8(bit)
            case .truncate(let message, let count) where message == index:
                bytes.removeLast(min(count, bytes.count))
            case .append(let message, let byte) where message == index:
                bytes.append(byte)
            case .smallOrderEphemeral(let message, let point) where message == index:
                var key = NoiseTarget.smallOrderPoints.sorted { $0.lexicographicallyPrecedes($1) }[point % 7]
                if point >= 7 { key[31] |= 0x80 }
                bytes.replaceSubrange(0..<32, with: key)
            default:
                break
            }
            return bytes
        }
    }

    /// Both sides honest, one message possibly altered in flight.
    static func honestExchange(_ input: inout FuzzInput) {
        let schedule = schedule(&input)
        let tamper = Tamper(&input)
        let initiatorStatic = key(&input)
        let responderStatic = key(&input)
        var pair = Pair(
            initiator: NoiseXXHandshake(role: .initiator, schedule: schedule, staticKey: initiatorStatic, ephemeralKey: key(&input)),
            responder: NoiseXXHandshake(
                role: .responder, schedule: schedule, staticKey: responderStatic, ephemeralKey: key(&input),
                prologue: tamper.isPrologue ? [0x01] : []))
        let payloads = (0..<3).map { _ in input.lengthPrefixedBytes(maximum: 64) }
        invariant(pair.initiator.remoteStaticPublicKey == nil, "a remote static key before message 2")

        if input.bool() {
            // Out-of-turn calls are refused without harming the handshake.
            invariant(Result { () throws(NoiseError) in try pair.responder.writeMessage() } == .failure(.invalidState), "responder wrote first")
            invariant(Result { () throws(NoiseError) in try pair.initiator.readMessage([]) } == .failure(.invalidState), "initiator read first")
        }

        var altered = false
        var failed = false
        for index in 0..<3 {
            guard case .success(let message) = pair.write(index, payload: payloads[index]) else {
                // Only a small-order key planted in message 1 may stop the responder's write.
                invariant(altered, "an honest write failed at message \(index + 1)")
                failed = true
                break
            }
            let delivered = tamper.apply(message, index: index)
            altered = altered || delivered != message
            guard case .success(let payload) = pair.read(index, delivered) else {
                invariant(altered || tamper.isPrologue, "an honest message \(index + 1) was refused")
                pair.expectReaderBroken(index)
                failed = true
                break
            }
            if delivered == message {
                invariant(payload == payloads[index], "message \(index + 1)'s payload changed in transit")
            }
        }
        if altered || tamper.isPrologue {
            invariant(failed, "an altered handshake completed (\(tamper))")
            return
        }
        invariant(!failed && pair.initiator.isComplete && pair.responder.isComplete, "an honest handshake did not complete")
        invariant(pair.initiator.handshakeHash == pair.responder.handshakeHash, "handshake hashes differ")
        invariant(
            pair.initiator.remoteStaticPublicKey == Array(responderStatic.publicKey.rawRepresentation)
                && pair.responder.remoteStaticPublicKey == Array(initiatorStatic.publicKey.rawRepresentation),
            "a side learned the wrong static key")
        checkTransport(&pair.initiator, &pair.responder, &input)
    }

    /// The two sides; message 2 goes from responder to initiator, 1 and 3 the other way.
    struct Pair {
        var initiator: NoiseXXHandshake
        var responder: NoiseXXHandshake

        mutating func write(_ index: Int, payload: [UInt8]) -> Result<[UInt8], NoiseError> {
            index == 1
                ? Result { () throws(NoiseError) in try responder.writeMessage(payload: payload) }
                : Result { () throws(NoiseError) in try initiator.writeMessage(payload: payload) }
        }

        mutating func read(_ index: Int, _ message: [UInt8]) -> Result<[UInt8], NoiseError> {
            index == 1
                ? Result { () throws(NoiseError) in try initiator.readMessage(message) }
                : Result { () throws(NoiseError) in try responder.readMessage(message) }
        }

        mutating func expectReaderBroken(_ index: Int) {
            if index == 1 {
                NoiseTarget.expectBroken(&initiator, "initiator after a refused message 2")
            } else {
                NoiseTarget.expectBroken(&responder, "responder after a refused message \(index + 1)")
            }
        }
    }

    /// The split ciphers interoperate both ways; a tampered ciphertext is refused without moving the counter.
    static func checkTransport(_ initiator: inout NoiseXXHandshake, _ responder: inout NoiseXXHandshake, _ input: inout FuzzInput) {
        guard var forInitiator = try? initiator.split(), var forResponder = try? responder.split() else {
            return invariant(false, "split failed after completion")
        }
        for round in 0..<3 {
            let plaintext = input.lengthPrefixedBytes(maximum: 64)
            let toResponder = round % 2 == 0
            var sender = toResponder ? forInitiator.sender : forResponder.sender
            var receiver = toResponder ? forResponder.receiver : forInitiator.receiver
            guard let sealed = try? sender.encrypt(plaintext) else { return invariant(false, "encrypt failed") }
            var forged = sealed
            forged[input.int(in: 0...65535) % forged.count] ^= 1
            let before = receiver.nonce
            invariant((try? receiver.decrypt(forged)) == nil, "a forged ciphertext decrypted")
            invariant(receiver.nonce == before, "a failed decrypt moved the counter")
            invariant((try? receiver.decrypt(sealed)) == plaintext, "transport round trip failed")
            if toResponder {
                forInitiator.sender = sender
                forResponder.receiver = receiver
            } else {
                forResponder.sender = sender
                forInitiator.receiver = receiver
            }
        }
    }
}

extension NoiseTarget.Tamper {
    var isPrologue: Bool {
        if case .prologue = self { return true }
        return false
    }
}
