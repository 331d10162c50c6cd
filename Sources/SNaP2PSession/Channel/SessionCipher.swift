#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SNaP2PNoise
import SNaP2PWire

/// Why ``SessionCipher`` refused a frame.
public enum SessionCipherError: Error, Equatable, Sendable {
    /// A frame failed authentication. Fatal: the channel is closed for good.
    case decryptFailed
    /// A nonce reached 2^64 - 1. Fatal.
    case nonceExhausted
    /// An earlier fatal error broke the channel; nothing more goes through it.
    case channelBroken
    /// The frame decrypted but is not a control message this implementation knows. Not fatal:
    /// inside a session an unknown type is dropped (as the reference does) and the session goes on.
    case undecodableMessage(ControlMessageDecodingError)
}

/// The encrypted channel of an established session (and of the handshake after Noise): one CBOR
/// control message per frame, ChaCha20-Poly1305 with counter nonces, empty associated data.
///
/// A decrypt failure breaks the channel for good: the reference skips such a frame and carries on,
/// but an authentication failure here is an attack or a bug, and continuing would leave the two
/// nonces out of step. Buffers are reused across calls so the data path does not allocate per frame.
public struct SessionCipher: Sendable {
    var ciphers: NoiseTransportCiphers
    private var plaintext: [UInt8] = []
    private var broken = false

    /// A channel over the transport ciphers of a finished Noise handshake.
    public init(ciphers: NoiseTransportCiphers) {
        self.ciphers = ciphers
    }

    /// Encrypts `message` and appends its frame body (ciphertext || tag) to `output`.
    public mutating func seal(_ message: ControlMessage, appendingTo output: inout [UInt8]) throws(SessionCipherError) {
        plaintext.removeAll(keepingCapacity: true)
        message.encode(into: &plaintext)
        try sealPlaintext(into: &output, withLengthPrefix: false)
    }

    /// Encrypts `message` and appends a whole wire frame (varint length || ciphertext || tag),
    /// ready to write, to `output`.
    public mutating func sealFrame(_ message: ControlMessage, appendingTo output: inout [UInt8]) throws(SessionCipherError) {
        plaintext.removeAll(keepingCapacity: true)
        message.encode(into: &plaintext)
        try sealPlaintext(into: &output, withLengthPrefix: true)
    }

    /// The data path: encodes STREAM_DATA straight into the reused plaintext buffer and appends a
    /// whole wire frame to `output`.
    public mutating func sealStreamDataFrame(
        streamID: UInt64,
        data: ArraySlice<UInt8>,
        fin: Bool,
        appendingTo output: inout [UInt8]
    ) throws(SessionCipherError) {
        plaintext.removeAll(keepingCapacity: true)
        ControlMessage.encodeStreamData(streamID: streamID, data: data, fin: fin, into: &plaintext)
        try sealPlaintext(into: &output, withLengthPrefix: true)
    }

    /// Decrypts one frame body where it lies and decodes its control message.
    public mutating func open(_ frame: UnsafeRawBufferPointer) throws(SessionCipherError) -> ControlMessage {
        guard !broken else { throw .channelBroken }
        let plaintext: Data
        do {
            plaintext = try ciphers.receiver.open(frame)
        } catch {
            broken = true
            throw error == .nonceExhausted ? .nonceExhausted : .decryptFailed
        }
        do {
            return try ControlMessage.decode(plaintext)
        } catch {
            throw .undecodableMessage(error)
        }
    }

    /// ``open(_:)`` for a frame held in an array.
    public mutating func open(_ frame: [UInt8]) throws(SessionCipherError) -> ControlMessage {
        let opened = frame.withUnsafeBytes { raw in Result { () throws(SessionCipherError) in try open(raw) } }
        return try opened.get()
    }

    private mutating func sealPlaintext(into output: inout [UInt8], withLengthPrefix: Bool) throws(SessionCipherError) {
        guard !broken else { throw .channelBroken }
        let start = output.count
        if withLengthPrefix {
            Varint.encode(UInt64(plaintext.count + NoiseCipherState.tagLength), into: &output)
        }
        do {
            try ciphers.sender.seal(plaintext, appendingTo: &output)
        } catch {
            output.removeSubrange(start...)
            broken = true
            throw .nonceExhausted
        }
    }
}
