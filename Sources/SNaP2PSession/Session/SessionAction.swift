import SNaP2PIdentity
import SNaP2PNoise
import SNaP2PStreams
import SNaP2PWire

/// Identifies a write whose completion someone waits for; chosen by the caller.
package typealias WriteToken = UInt64

/// What the transport must do after feeding a ``SessionStateMachine``, in order. Bytes to send are
/// not actions: they collect in the machine and are taken with ``SessionStateMachine/takeOutput(_:)``.
package enum SessionAction: Sendable {
    /// The handshake succeeded; streams may be opened.
    case established(EstablishedSessionInfo)
    /// The remote opened a stream.
    case streamOpened(StreamID, label: String?)
    /// Bytes for a stream's reader. Report them with ``SessionStateMachine/consumed(_:byteCount:actions:)``
    /// once the application took them, after the current actions are handled.
    case deliver(StreamID, [UInt8])
    /// The remote finished the stream: its reader sees the end after the bytes delivered before.
    case inboundFinished(StreamID)
    /// This many bytes of the stream's writes were sealed into frames.
    case sealed(StreamID, byteCount: Int)
    /// The write with this token is completely sealed.
    case writeCompleted(WriteToken)
    /// The write with this token will never go out: its stream ended (or was already closed for writing).
    case writeFailed(WriteToken, StreamEnd)
    /// The stream is gone from the session; the last action about it.
    case streamEnded(StreamID, StreamEnd)
    /// Stop reading from the transport (a remote without fc1 sent more than the application reads).
    case pauseReads
    /// Read again.
    case resumeReads
    /// Send what is in the output, then close the transport. The last action of a session.
    case close(SessionEnd)
}

/// The facts of an established session the application sees.
package struct EstablishedSessionInfo: Sendable {
    /// Who we are.
    package let localPrincipal: Principal
    /// Who the remote proved to be.
    package let remotePrincipal: Principal
    /// The listener's 32 random bytes.
    package let sessionID: [UInt8]
    /// The Noise handshake hash: a value both sides share and no one else knows.
    package let handshakeHash: [UInt8]
    /// The features both sides agreed on.
    package let features: SessionFeatures
    /// The Noise key schedule the handshake negotiated.
    package let noiseSchedule: NoiseKeySchedule
    /// The remote's alias card, or why it was dropped; nil when none was exchanged.
    package let remoteAliasCard: Result<AliasCard, AliasCardError>?
    /// The address the remote says it sees for us (obs1).
    package let observedAddress: ObservedAddress?
}

/// How one stream ended.
package enum StreamEnd: Sendable, Hashable {
    /// Both sides finished and the application read everything.
    case finished
    /// The application closed it, sending CLOSE_STREAM with this code (nil: a clean close).
    case closedLocally(ProtocolErrorCode?)
    /// The remote sent CLOSE_STREAM with this code (nil or `.ok`: a clean close).
    case closedByPeer(ProtocolErrorCode?)
    /// The remote refused our OPEN_STREAM with this code.
    case refusedByPeer(ProtocolErrorCode)
    /// The remote broke a stream rule; we reset the stream with this code.
    case violation(ProtocolErrorCode)
    /// Not open: never opened here, or already ended.
    case unknown
}

/// Why a session ended. `code` is nil for a clean end (either side closed without an error).
package struct SessionEnd: Error, Sendable, Hashable {
    /// Whether it ended before or after AUTH_OK.
    package enum Phase: Sendable, Hashable {
        case handshake
        case session
    }

    package var phase: Phase
    /// The protocol code: ours when we ended it for a reason, the remote's from its ERROR or
    /// AUTH_FAIL; nil for a clean close.
    package var code: ProtocolErrorCode?
    /// What happened, for people.
    package var reason: String?

    package init(_ phase: Phase, code: ProtocolErrorCode?, reason: String?) {
        self.phase = phase
        self.code = code
        self.reason = reason
    }
}
