/// Why the other side broke the `file-1` protocol. Each ends the transfer; the receiver keeps
/// whatever `.partial` it wrote.
public enum FileTransferProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A message's length prefix declares more than ``FileTransferProtocol/maximumMessageLength``.
    case messageTooLarge(length: Int)
    /// A header, answer or trailer is not what the protocol says (the reason names the field).
    case malformed(String)
    /// A header with a version this side does not speak.
    case unsupportedVersion(UInt64)
    /// Bytes arrived where the protocol allows none (data before the answer, after the trailer).
    case unexpectedData
    /// More file bytes than the header's size announced.
    case tooManyBytes(expected: UInt64)
    /// The stream ended before every byte the header announced (or before a message) arrived.
    case truncated(received: UInt64, expected: UInt64)
    /// The stream ended where a message was due.
    case endedEarly(expecting: String)
    /// The receiver asked to resume at an offset beyond the file's end.
    case offsetBeyondEnd(offset: UInt64, size: UInt64)

    /// What broke the protocol, in a sentence fragment.
    public var description: String {
        switch self {
        case .messageTooLarge(let length):
            "a message of \(length) bytes (at most \(FileTransferProtocol.maximumMessageLength) are allowed)"
        case .malformed(let reason): reason
        case .unsupportedVersion(let version): "file-transfer version \(version) (this side speaks \(FileTransferProtocol.version))"
        case .unexpectedData: "bytes arrived where the protocol allows none"
        case .tooManyBytes(let expected): "more bytes than the announced size of \(expected)"
        case .truncated(let received, let expected): "the stream ended after \(received) of \(expected) bytes"
        case .endedEarly(let expecting): "the stream ended before the \(expecting)"
        case .offsetBeyondEnd(let offset, let size): "resume offset \(offset) is beyond the file's \(size) bytes"
        }
    }

    /// The code a receiver sends back (in its answer or trailer) for this violation.
    public var reason: FileTransferReason {
        switch self {
        case .unsupportedVersion: .unsupportedVersion
        case .truncated: .truncated
        case .tooManyBytes: .tooManyBytes
        default: .invalidOffer
        }
    }
}
