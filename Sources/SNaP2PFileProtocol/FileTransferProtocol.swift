import SNaP2PWire

/// Constants and limits of the `file-1` stream protocol (docs/FILE-TRANSFER.md).
public enum FileTransferProtocol {
    /// The stream label a sender opens.
    public static let streamLabel = "file-1"
    /// The header's `v`.
    public static let version: UInt64 = 1
    /// The largest frame either side accepts (header, answer, trailer), checked from the length
    /// prefix before the body is buffered.
    public static let maximumMessageLength = 4096
    /// The longest name a header may carry, in bytes of UTF-8.
    public static let maximumNameLength = 255
    /// The longest `message` an answer or trailer may carry, in bytes of UTF-8.
    public static let maximumMessageTextLength = 1024
    /// The largest file: sizes and offsets must fit a signed 64-bit file offset.
    public static let maximumFileSize = UInt64(Int64.max)

    /// The body of one message as a CBOR map.
    static func decodeMap(_ body: [UInt8], what: String) throws(FileTransferProtocolError) -> [String: CBOR] {
        let item: CBOR
        do {
            item = try CBOR.decode(body)
        } catch {
            throw .malformed("the \(what) is not valid CBOR (\(error))")
        }
        guard let map = item.map else { throw .malformed("the \(what) is not a CBOR map") }
        return map
    }

    /// An optional text field, bounded.
    static func text(_ map: [String: CBOR], _ key: String, what: String) throws(FileTransferProtocolError) -> String? {
        guard let value = map[key] else { return nil }
        guard let text = value.text, text.utf8.count <= maximumMessageTextLength else {
            throw .malformed("the \(what)'s \"\(key)\" is not text of at most \(maximumMessageTextLength) bytes")
        }
        return text
    }
}
