import Crypto

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The Noise XX handshake (`-> e`, `<- e, ee, s, es`, `-> s, se`) over X25519, ChaCha20-Poly1305 and
/// SHA-256, as a value that turns messages into messages.
///
/// Randomness is not drawn here: the caller passes the ephemeral key, so a handshake can be replayed
/// from recorded draws. Any error leaves the handshake failed; every later call throws
/// ``NoiseError/invalidState``.
public struct NoiseXXHandshake: Sendable {
    /// Bytes in an X25519 public key.
    public static let publicKeyLength = 32

    /// The side this handshake plays.
    public let role: HandshakeRole
    private var symmetric: NoiseSymmetricState
    private let localStatic: Curve25519.KeyAgreement.PrivateKey
    /// Dropped once the handshake is over, so the ephemeral secret dies with its last use.
    private var localEphemeral: Curve25519.KeyAgreement.PrivateKey?
    private var remoteEphemeral: Curve25519.KeyAgreement.PublicKey?
    /// The peer's X25519 static key, known after message 2 (initiator) or 3 (responder).
    public private(set) var remoteStaticPublicKey: [UInt8]?
    /// Messages written or read so far (0...3).
    private var messageIndex = 0
    private var failed = false

    /// Starts a handshake and mixes `prologue` into `h`.
    ///
    /// - Parameters:
    ///   - staticKey: this node's long-term X25519 key (derived from the node seed in SNaP2P).
    ///   - ephemeralKey: a fresh key for this handshake only; never reuse one.
    public init(
        role: HandshakeRole,
        schedule: NoiseKeySchedule,
        staticKey: Curve25519.KeyAgreement.PrivateKey,
        ephemeralKey: Curve25519.KeyAgreement.PrivateKey,
        prologue: [UInt8] = []
    ) {
        self.role = role
        self.symmetric = NoiseSymmetricState(schedule: schedule)
        self.localStatic = staticKey
        self.localEphemeral = ephemeralKey
        symmetric.mixHash(prologue)
    }

    /// True once all three messages went through; then ``split()`` may be called.
    public var isComplete: Bool { messageIndex == 3 && !failed }

    /// True when the next step is ``writeMessage(payload:)``; false when it is ``readMessage(_:)`` or the handshake is over.
    public var isWriteTurn: Bool { messageIndex < 3 && (messageIndex % 2 == 0) == (role == .initiator) }

    /// The key schedule in force.
    public var schedule: NoiseKeySchedule { symmetric.schedule }

    /// Chooses the key schedule. The schedule first matters at message 2's `ee` MixKey, so the
    /// responder may choose after reading message 1 (where an initiator can offer one), and the
    /// initiator may try each schedule it accepts on a copy of itself before reading message 2.
    /// Throws ``NoiseError/invalidState`` once a key was mixed or the handshake failed.
    public mutating func select(schedule: NoiseKeySchedule) throws(NoiseError) {
        guard !failed else { throw .invalidState }
        try symmetric.select(schedule: schedule)
    }

    /// `h`; after completion, the channel-binding value both sides share.
    public var handshakeHash: [UInt8] { symmetric.handshakeHash }

    /// The symmetric state, for tests that check every intermediate value.
    var symmetricState: NoiseSymmetricState { symmetric }

    /// Writes the next message carrying `payload` (encrypted once a key exists; plaintext in message 1).
    public mutating func writeMessage(payload: [UInt8] = []) throws(NoiseError) -> [UInt8] {
        guard !failed, isWriteTurn, let ephemeral = localEphemeral else { throw .invalidState }
        do throws(NoiseError) {
            var message: [UInt8] = []
            switch messageIndex {
            case 0:  // -> e
                let e = Array(ephemeral.publicKey.rawRepresentation)
                message += e
                symmetric.mixHash(e)
            case 1:  // <- e, ee, s, es
                let e = Array(ephemeral.publicKey.rawRepresentation)
                message += e
                symmetric.mixHash(e)
                try mixDH(ephemeral, remoteEphemeral)
                message += try symmetric.encryptAndHash(Array(localStatic.publicKey.rawRepresentation))
                try mixDH(localStatic, remoteEphemeral)
            default:  // -> s, se
                message += try symmetric.encryptAndHash(Array(localStatic.publicKey.rawRepresentation))
                try mixDH(localStatic, remoteEphemeral)
            }
            message += try symmetric.encryptAndHash(payload)
            advance()
            return message
        } catch {
            failed = true
            throw error
        }
    }

    /// Reads the peer's next message and returns its payload.
    ///
    /// Message 1 is `e` followed by a plaintext payload; a longer message 1 is accepted and its tail
    /// returned as that payload, as the reference does (SNaP2P puts its key-schedule offer there).
    public mutating func readMessage(_ message: [UInt8]) throws(NoiseError) -> [UInt8] {
        guard !failed, messageIndex < 3, !isWriteTurn, let ephemeral = localEphemeral else { throw .invalidState }
        do throws(NoiseError) {
            let key = Self.publicKeyLength
            let sealedKey = key + NoiseCipherState.tagLength
            let payload: [UInt8]
            switch messageIndex {
            case 0:  // -> e
                guard message.count >= key else { throw NoiseError.messageTooShort }
                try readRemoteEphemeral(message[0..<key])
                payload = try symmetric.decryptAndHash(Array(message[key...]))
            case 1:  // <- e, ee, s, es
                guard message.count >= key + sealedKey + NoiseCipherState.tagLength else { throw NoiseError.messageTooShort }
                try readRemoteEphemeral(message[0..<key])
                try mixDH(ephemeral, remoteEphemeral)
                let remoteStatic = try readRemoteStatic(message[key..<key + sealedKey])
                try mixDH(ephemeral, remoteStatic)
                payload = try symmetric.decryptAndHash(Array(message[(key + sealedKey)...]))
            default:  // -> s, se
                guard message.count >= sealedKey + NoiseCipherState.tagLength else { throw NoiseError.messageTooShort }
                let remoteStatic = try readRemoteStatic(message[0..<sealedKey])
                try mixDH(ephemeral, remoteStatic)
                payload = try symmetric.decryptAndHash(Array(message[sealedKey...]))
            }
            advance()
            return payload
        } catch {
            failed = true
            throw error
        }
    }

    /// The transport cipher states, oriented for this side (the initiator sends with the first key).
    public func split() throws(NoiseError) -> NoiseTransportCiphers {
        guard isComplete else { throw .invalidState }
        let (initiatorToResponder, responderToInitiator) = symmetric.split()
        switch role {
        case .initiator: return NoiseTransportCiphers(sender: initiatorToResponder, receiver: responderToInitiator)
        case .responder: return NoiseTransportCiphers(sender: responderToInitiator, receiver: initiatorToResponder)
        }
    }

    private mutating func advance() {
        messageIndex += 1
        if messageIndex == 3 {
            localEphemeral = nil
            remoteEphemeral = nil
        }
    }

    private mutating func readRemoteEphemeral(_ bytes: ArraySlice<UInt8>) throws(NoiseError) {
        remoteEphemeral = try Self.publicKey(bytes)
        symmetric.mixHash(Array(bytes))
    }

    private mutating func readRemoteStatic(_ sealed: ArraySlice<UInt8>) throws(NoiseError) -> Curve25519.KeyAgreement.PublicKey {
        let bytes = try symmetric.decryptAndHash(Array(sealed))
        let key = try Self.publicKey(bytes[...])
        remoteStaticPublicKey = bytes
        return key
    }

    private static func publicKey(_ bytes: ArraySlice<UInt8>) throws(NoiseError) -> Curve25519.KeyAgreement.PublicKey {
        do {
            return try Curve25519.KeyAgreement.PublicKey(rawRepresentation: bytes)
        } catch {
            throw .invalidKey
        }
    }

    /// MixKey(DH(local, remote)), refusing an all-zero result in constant time.
    private mutating func mixDH(
        _ local: Curve25519.KeyAgreement.PrivateKey,
        _ remote: Curve25519.KeyAgreement.PublicKey?
    ) throws(NoiseError) {
        guard let remote else { throw .invalidState }
        let shared: SharedSecret
        do {
            shared = try local.sharedSecretFromKeyAgreement(with: remote)
        } catch {
            throw .smallOrderPoint
        }
        let allZero = shared.withUnsafeBytes { bytes in
            var accumulator: UInt8 = 0
            for byte in bytes { accumulator |= byte }
            return accumulator == 0
        }
        guard !allZero else { throw .smallOrderPoint }
        shared.withUnsafeBytes { symmetric.mixKey($0) }
    }
}
