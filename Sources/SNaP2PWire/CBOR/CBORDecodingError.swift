/// Why bytes are not one well-formed CBOR item of the subset ``CBOR`` models.
public enum CBORDecodingError: Error, Equatable, Sendable {
    /// The input ends inside an item.
    case truncated
    /// One whole item was read but this many bytes follow it.
    case trailingBytes(count: Int)
    /// A string, array or map declares more content than the remaining input could hold;
    /// raised before anything is allocated for it.
    case lengthExceedsInput
    /// Arrays and maps nest deeper than ``CBOR/maximumNestingDepth``.
    case nestingTooDeep
    /// A map key is not a text string.
    case nonTextMapKey
    /// A map holds the same key twice.
    case duplicateMapKey(String)
    /// A text string is not valid UTF-8.
    case invalidUTF8
    /// An indefinite-length string, array or map, or a stray "break".
    case indefiniteLength
    /// A semantic tag (major type 6).
    case unsupportedTag
    /// A simple value other than false, true and null (e.g. `undefined`).
    case unsupportedSimpleValue
    /// A float that is not a whole number in integer range (integral floats read as integers).
    case unsupportedFloat
    /// Additional information 28-30, which RFC 8949 reserves.
    case reservedAdditionalInformation
}
