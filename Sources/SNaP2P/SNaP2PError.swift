import SNaP2PIdentity
import SNaP2PRelay
import SNaP2PSession
import SNaP2PWire

/// Everything the public API throws. Cases that come from the protocol carry its error code
/// (`description` prints the upper-case name, e.g. `NOT_ALLOWED`) and the remote's reason text.
public enum SNaP2PError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The handshake did not complete: refused by the remote (its AUTH_FAIL code), refused by
    /// us (the check that failed), cut off, or timed out (`.timeout`).
    case handshakeFailed(code: ProtocolErrorCode, reason: String?)
    /// No TCP connection could be made (refused, unreachable, DNS, connect timeout).
    case connectionFailed(reason: String)
    /// An established session ended abnormally: `.connectionClosed` when the remote hung up,
    /// `.timeout` when PINGs went unanswered, `.authFailed` when a frame failed to decrypt,
    /// `.messageTooLarge` / `.invalidMessage` for a broken byte stream, or the code of the
    /// remote's ERROR message.
    case connectionClosed(code: ProtocolErrorCode, reason: String?)
    /// The stream ended with an error: the remote's CLOSE_STREAM code, or `.streamClosed` when
    /// writing to a stream that is already closed for writing.
    case streamClosed(code: ProtocolErrorCode)
    /// The remote refused to open the stream (`.streamRefused` / `.resourceExhausted` over its
    /// limit, `.streamIDInUse`), or our own stream limit is reached.
    case streamRefused(code: ProtocolErrorCode)
    /// An address that is not `host:port` (IPv6 as `[addr]:port`).
    case invalidAddress(String)
    /// The listener was closed.
    case listenerClosed
    /// Another task is already waiting to read this stream: a stream has one reader at a time.
    case concurrentRead
    /// A dial pinned to `expected` reached a listener that proved to be `actual`: refused during
    /// the handshake (the listener sees NOT_ALLOWED).
    case principalMismatch(expected: Principal, actual: Principal)
    /// A relay (or the reserved peer behind it) refused a reservation or a relayed connection,
    /// did not answer in time, or broke the relay protocol (docs/RELAY.md).
    case relayRefused(RelayRefusal)
    /// A ``SimultaneousOpen`` reached its deadline without a connection: how many connects were
    /// tried, and why the last one failed.
    case simultaneousOpenFailed(attempts: Int, reason: String)

    /// The protocol error code, when the failure has one.
    public var code: ProtocolErrorCode? {
        switch self {
        case .handshakeFailed(let code, _), .connectionClosed(let code, _): code
        case .streamClosed(let code), .streamRefused(let code): code
        case .principalMismatch: .notAllowed
        case .connectionFailed, .invalidAddress, .listenerClosed, .concurrentRead, .relayRefused, .simultaneousOpenFailed: nil
        }
    }

    public var description: String {
        switch self {
        case .handshakeFailed(let code, let reason): "handshake failed: \(code)" + Self.suffix(reason)
        case .connectionFailed(let reason): "connection failed: \(reason)"
        case .connectionClosed(let code, let reason): "connection closed: \(code)" + Self.suffix(reason)
        case .streamClosed(let code): "stream closed: \(code)"
        case .streamRefused(let code): "stream refused: \(code)"
        case .invalidAddress(let text): "invalid address \"\(text)\": expected host:port or [ipv6]:port"
        case .listenerClosed: "listener closed"
        case .concurrentRead: "another task is already reading this stream"
        case .principalMismatch(let expected, let actual): "principal mismatch: expected \(expected), but the listener proved to be \(actual)"
        case .relayRefused(let refusal): "relay refused: \(refusal)"
        case .simultaneousOpenFailed(let attempts, let reason):
            "no direct connection by simultaneous open before the deadline (\(attempts) attempts, the last: \(reason))"
        }
    }

    private static func suffix(_ reason: String?) -> String {
        guard let reason, !reason.isEmpty else { return "" }
        return " (\(reason))"
    }
}

extension SNaP2PError {
    /// The error a session's end means to the application; `nil` for a clean close by either side.
    init?(_ end: SessionEnd) {
        switch end.phase {
        case .handshake:
            self = .handshakeFailed(code: end.code ?? .connectionClosed, reason: end.reason)
        case .session:
            guard let code = end.code else { return nil }
            self = .connectionClosed(code: code, reason: end.reason)
        }
    }
}

extension StreamEnd {
    /// What a stream's reader sees after the bytes it has not read (the clean end when `nil`), and
    /// what a write throws from now on.
    var errors: (reading: SNaP2PError?, writing: SNaP2PError) {
        let notWritable = SNaP2PError.streamClosed(code: .streamClosed)
        switch self {
        case .finished, .unknown:
            return (nil, notWritable)
        case .closedLocally(let code):
            return (code.map { .streamClosed(code: $0) }, .streamClosed(code: code ?? .streamClosed))
        case .closedByPeer(let code):
            guard let code, code != .ok else { return (nil, notWritable) }
            return (.streamClosed(code: code), .streamClosed(code: code))
        case .refusedByPeer(let code):
            return (.streamRefused(code: code), .streamRefused(code: code))
        case .violation(let code):
            return (.streamClosed(code: code), .streamClosed(code: code))
        }
    }
}
