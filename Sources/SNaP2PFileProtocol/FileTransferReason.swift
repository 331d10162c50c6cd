import SNaP2PWire

/// Why a receiver refused an offer or failed a transfer: a short code on the wire (`reason`),
/// with an optional human sentence beside it (`message`). Unknown codes are kept as they came.
public struct FileTransferReason: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The code as sent, e.g. `declined`.
    public let rawValue: String

    /// A reason with this code.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// The code.
    public var description: String { rawValue }

    /// The receiver (its user, or its policy) does not want the file.
    public static let declined = FileTransferReason(rawValue: "declined")
    /// The header broke the protocol (the message says how).
    public static let invalidOffer = FileTransferReason(rawValue: "invalid-offer")
    /// The header's version is not one the receiver speaks.
    public static let unsupportedVersion = FileTransferReason(rawValue: "unsupported-version")
    /// The receiver cannot store the file (its directory is not writable, the disk is full).
    public static let unavailable = FileTransferReason(rawValue: "unavailable")
    /// Trailer: the bytes arrived but their SHA-256 is not the header's; the `.partial` stays.
    public static let hashMismatch = FileTransferReason(rawValue: "hash-mismatch")
    /// Trailer: the sender finished before the announced size.
    public static let truncated = FileTransferReason(rawValue: "truncated")
    /// Trailer: the sender sent more than the announced size.
    public static let tooManyBytes = FileTransferReason(rawValue: "too-many-bytes")
    /// Trailer: the receiver could not write what arrived.
    public static let writeFailed = FileTransferReason(rawValue: "write-failed")
}

/// A reason with an optional explanation, as an answer or trailer carries it.
public struct FileTransferRefusal: Sendable, Hashable, CustomStringConvertible {
    /// The code.
    public var reason: FileTransferReason
    /// A sentence for people (at most 1024 bytes on the wire).
    public var message: String?

    /// A refusal for `reason`, explained by `message`.
    public init(_ reason: FileTransferReason, message: String? = nil) {
        self.reason = reason
        self.message = message
    }

    /// `code: message`, or the code alone.
    public var description: String { message.map { "\(reason): \($0)" } ?? reason.rawValue }

    func encode(into map: inout [String: CBOR]) {
        map["reason"] = .text(reason.rawValue)
        if let message { map["message"] = .text(String(Self.truncated(message))) }
    }

    init(decoding map: [String: CBOR], what: String) throws(FileTransferProtocolError) {
        guard let reason = try FileTransferProtocol.text(map, "reason", what: what), !reason.isEmpty else {
            throw .malformed("the \(what) has no \"reason\"")
        }
        self.init(FileTransferReason(rawValue: reason), message: try FileTransferProtocol.text(map, "message", what: what))
    }

    /// The longest prefix of whole characters that fits the wire limit.
    private static func truncated(_ text: String) -> Substring {
        var length = 0
        let end = text.firstIndex { character in
            length += character.utf8.count
            return length > FileTransferProtocol.maximumMessageTextLength
        }
        return text[..<(end ?? text.endIndex)]
    }
}
