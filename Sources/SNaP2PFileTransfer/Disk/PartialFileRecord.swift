import Foundation
import SNaP2PWire

/// The sidecar `NAME.partial.meta` beside a `NAME.partial`: who was sending which file, so a
/// later offer of the same file by the same sender resumes it. JSON, written atomically.
struct PartialFileRecord: Codable, Equatable {
    /// The sender's principal (`stacks:…`).
    var sender: String
    /// The name as offered (before it was made safe), for people reading the file.
    var name: String
    var size: UInt64
    /// Lower-case hex of the whole file's SHA-256.
    var sha256: String

    init(offer: FileOffer, sender: String) {
        self.sender = sender
        self.name = offer.name
        self.size = offer.size
        self.sha256 = Hex.encode(offer.sha256)
    }

    /// Whether a partial recorded with this is of `offer` from `sender`.
    func matches(_ offer: FileOffer, from sender: String) -> Bool {
        self == PartialFileRecord(offer: offer, sender: sender)
    }

    /// The suffix of the sidecar's name after the partial's.
    static let suffix = ".meta"
    /// Records are small; a larger file is not one of ours.
    static let maximumLength = 4096

    /// The record at `path`, or `nil` if there is none or it is not one.
    static func read(at path: String) -> PartialFileRecord? {
        guard let file = try? BlockingFile(path: path, flags: O_RDONLY) else { return nil }
        var bytes = [UInt8](repeating: 0, count: maximumLength + 1)
        guard let count = try? bytes.withUnsafeMutableBytes({ try file.read(into: $0, at: 0) }), count <= maximumLength else { return nil }
        return try? JSONDecoder().decode(PartialFileRecord.self, from: Data(bytes[..<count]))
    }

    /// Writes the record to `path` atomically (a temporary file renamed over it).
    func write(to path: String) throws(FileSystemError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { throw FileSystemError("encode a record for", path, code: EINVAL) }
        let temporary = path + ".tmp"
        let file = try BlockingFile(path: temporary, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
        try Array(data).withUnsafeBytes { bytes in
            Result { () throws(FileSystemError) in try file.write(bytes, at: 0) }
        }.get()
        guard rename(temporary, path) == 0 else {
            let error = FileSystemError("rename", temporary)
            unlink(temporary)
            throw error
        }
    }
}
