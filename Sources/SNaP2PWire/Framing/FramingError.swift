/// Why a byte stream is not a valid sequence of frames. Each is fatal for the connection.
public enum FramingError: Error, Equatable, Sendable {
    /// The length prefix continues past ``Varint/maximumLengthPrefixByteCount`` bytes.
    case lengthPrefixTooLong
    /// The declared body length is over the limit in force; detected from the prefix alone.
    case frameTooLarge(length: Int, maximum: Int)
}
