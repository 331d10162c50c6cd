import SNaP2PIdentity
import SNaP2PNoise
import SNaP2PWire

/// Why a handshake ended without a session. Carries the protocol error code that was (or, for a
/// remote refusal, that the peer) put on the wire, so callers and logs speak the protocol's terms.
public struct HandshakeError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, precisely.
    public enum Reason: Sendable {
        /// The peer sent AUTH_FAIL; ``HandshakeError/code`` is its code.
        case refusedByPeer
        /// The peer closed the connection without a word.
        case closedByPeer
        /// The Noise handshake failed (tampering, wrong keys, small-order key).
        case noise(NoiseError)
        /// A frame broke the framing rules (for instance over the 64 KiB unauthenticated limit).
        case framing(FramingError)
        /// Bytes that are not a control message.
        case undecodableMessage(ControlMessageDecodingError)
        /// A well-formed message that does not belong at this step.
        case unexpectedMessage(String)
        /// HELLO failed validation (version, key or nonce length, clock skew).
        case invalidHello(String)
        /// The peer's attestation did not verify.
        case attestationRejected(AttestationError)
        /// The peer's Noise static key is not the Montgomery form of its attested node key (or that
        /// key is no valid curve point).
        case nodeKeyBindingMismatch
        /// HELLO announced a different node key than the attestation.
        case helloNodeKeyMismatch
        /// The authorization policy refused this principal.
        case notAuthorized(Principal)
        /// The stealth listener refused the invite token.
        case inviteTokenRejected
        /// A stealth listener got another message instead of KNOCK.
        case inviteRequired
        /// A stealth listener got a first frame that is no control message (e.g. a Noise message from
        /// a dialer without a token); it closes without a reply.
        case notKnocked
        /// AUTH_OK echoed another session id than the one the listener chose.
        case sessionIDMismatch
        /// AUTH_OK named another principal than the attestation proved.
        case principalMismatch(attested: Principal, named: Principal)
        /// A malformed AUTH_OK (session id not 32 bytes, principal not parseable).
        case invalidAuthOK
        /// Our ``NoiseSchedulePolicy/requireStandard`` policy met a peer that speaks only the
        /// reference key schedule (it offered no standard Noise, or chose the reference schedule).
        case standardNoiseRequired
    }

    /// What went wrong.
    public let reason: Reason
    /// The protocol code: ours if we refused, the peer's if it refused.
    public let code: ProtocolErrorCode
    /// The `r` text of the peer's AUTH_FAIL, if it sent one.
    public let remoteReason: String?

    /// An error with its protocol code.
    public init(_ reason: Reason, code: ProtocolErrorCode, remoteReason: String? = nil) {
        self.reason = reason
        self.code = code
        self.remoteReason = remoteReason
    }

    public var description: String {
        var text = "handshake failed (\(code)): \(reason)"
        if let remoteReason { text += ", peer says: \(remoteReason)" }
        return text
    }
}

extension HandshakeError.Reason: CustomStringConvertible {
    public var description: String {
        switch self {
        case .refusedByPeer: "refused by the peer"
        case .closedByPeer: "the peer closed the connection"
        case .noise(.decryptFailed): "a Noise message failed to authenticate (altered in transit, or not a SNaP2P peer)"
        case .noise(let error): "Noise failed: \(error)"
        case .framing(let error): "bad framing: \(error)"
        case .undecodableMessage(let error): "undecodable message: \(error)"
        case .unexpectedMessage(let text): "unexpected message: \(text)"
        case .invalidHello(let text): "invalid HELLO: \(text)"
        case .attestationRejected(let error): "attestation rejected: \(error)"
        case .nodeKeyBindingMismatch: "the Noise static key is not the attested node key"
        case .helloNodeKeyMismatch: "HELLO names another node key than the attestation"
        case .notAuthorized(let principal): "\(principal) is not authorized"
        case .inviteTokenRejected: "invite token rejected"
        case .inviteRequired: "invite token required"
        case .notKnocked: "no KNOCK from a dialer of a stealth listener"
        case .sessionIDMismatch: "AUTH_OK echoed another session id"
        case .principalMismatch(let attested, let named):
            "principal mismatch: the attestation proves \(attested) but AUTH_OK names \(named)"
        case .invalidAuthOK: "malformed AUTH_OK"
        case .standardNoiseRequired: "the peer does not speak standard Noise, which this side requires"
        }
    }
}
