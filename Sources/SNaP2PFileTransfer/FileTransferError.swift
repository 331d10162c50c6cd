import SNaP2P

/// Why a file was not sent or not received.
public enum FileTransferError: Error, Sendable, CustomStringConvertible {
    /// The receiver refused the offer (its answer).
    case refused(FileTransferRefusal)
    /// The receiver took the bytes but did not store the file (its trailer: a hash mismatch, a
    /// truncated transfer, a write error).
    case notStored(FileTransferRefusal)
    /// The other side broke the `file-1` protocol.
    case protocolViolation(FileTransferProtocolError)
    /// A local file could not be read or written.
    case fileSystem(FileSystemError)
    /// The received bytes do not hash to the offer's SHA-256; the partial file stays.
    case hashMismatch(expected: [UInt8], actual: [UInt8])
    /// The stream or the session ended (see ``SNaP2PError``).
    case session(SNaP2PError)

    /// What went wrong, for people.
    public var description: String {
        switch self {
        case .refused(let refusal): "the receiver refused the file (\(refusal))"
        case .notStored(let refusal): "the receiver did not store the file (\(refusal))"
        case .protocolViolation(let error): "the other side broke the file-transfer protocol: \(error)"
        case .fileSystem(let error): "\(error)"
        case .hashMismatch: "the received bytes do not match the sender's SHA-256"
        case .session(let error): "\(error)"
        }
    }

    /// Wraps whatever a transfer step threw.
    init(_ error: any Error) {
        switch error {
        case let error as FileTransferError: self = error
        case let error as FileTransferProtocolError: self = .protocolViolation(error)
        case let error as FileSystemError: self = .fileSystem(error)
        case let error as SNaP2PError: self = .session(error)
        default: self = .session(.connectionClosed(code: .internalError, reason: "\(error)"))
        }
    }
}

/// How far a transfer got, for progress displays.
public struct FileTransferProgress: Sendable, Hashable {
    /// What the transfer is doing.
    public enum Phase: Sendable, Hashable {
        /// The sender hashes the file before offering it (``bytes`` hashed so far).
        case hashing
        /// File bytes are moving (``bytes`` of the file held by the receiver, or handed to the
        /// stream by the sender, including a resumed prefix).
        case transferring
    }

    /// What is being done.
    public var phase: Phase
    /// The name offered.
    public var name: String
    /// The file's size.
    public var size: UInt64
    /// Bytes done in this phase.
    public var bytes: UInt64
    /// Where a resumed transfer started (0 otherwise, and while hashing).
    public var resumedFrom: UInt64
}
