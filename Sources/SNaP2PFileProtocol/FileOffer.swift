import SNaP2PWire

/// The header a sender opens a `file-1` stream with: what it offers to send.
///
/// On the wire: one frame, `varint(length) || CBOR map {"name": text, "sha256": bytes(32),
/// "size": uint, "v": 1}` (docs/FILE-TRANSFER.md). The name is only a suggestion: the receiver
/// reduces it to a safe base name of its own (``SafeFileName``).
public struct FileOffer: Sendable, Hashable {
    /// The file name the sender suggests (1-255 bytes of UTF-8, as sent; not yet made safe).
    public var name: String
    /// The file's length in bytes.
    public var size: UInt64
    /// The SHA-256 of the whole file (32 bytes), also when only a tail is sent after a resume.
    public var sha256: [UInt8]

    /// An offer of `size` bytes named `name` whose SHA-256 is `sha256`.
    public init(name: String, size: UInt64, sha256: [UInt8]) {
        self.name = name
        self.size = size
        self.sha256 = sha256
    }

    /// The framed header.
    public func encoded() -> [UInt8] {
        Framing.frame(CBOR.map([
            "v": .unsigned(FileTransferProtocol.version),
            "name": .text(name),
            "size": .unsigned(size),
            "sha256": .bytes(sha256),
        ]).encoded())
    }

    /// Reads a header frame's body, checking every field and limit. Unknown keys are ignored so a
    /// later version can add optional fields.
    public init(decoding body: [UInt8]) throws(FileTransferProtocolError) {
        let map = try FileTransferProtocol.decodeMap(body, what: "header")
        guard let version = map["v"]?.uint else { throw .malformed("the header has no version \"v\"") }
        guard version == FileTransferProtocol.version else { throw .unsupportedVersion(version) }
        guard let name = map["name"]?.text else { throw .malformed("the header has no text \"name\"") }
        guard !name.isEmpty, name.utf8.count <= FileTransferProtocol.maximumNameLength else {
            throw .malformed("the name is empty or longer than \(FileTransferProtocol.maximumNameLength) bytes")
        }
        guard let size = map["size"]?.uint, size <= FileTransferProtocol.maximumFileSize else {
            throw .malformed("the header has no \"size\" from 0 to 2^63-1")
        }
        guard let sha256 = map["sha256"]?.bytes, sha256.count == 32 else {
            throw .malformed("the header has no 32-byte \"sha256\"")
        }
        self.init(name: name, size: size, sha256: sha256)
    }
}
