/// A CBOR data item restricted to what SNaP2P puts on the wire: control messages and attestations.
///
/// Floats, tags, indefinite lengths and `undefined` are deliberately absent: the reference never
/// writes them, and every construct we do not model is one a hostile peer cannot aim at us.
public indirect enum CBOR: Sendable, Hashable {
    /// Major type 0.
    case unsigned(UInt64)
    /// Major type 1, holding `n` for the value `-1 - n` so the full CBOR range fits.
    case negative(UInt64)
    /// Major type 2.
    case bytes([UInt8])
    /// Major type 3.
    case text(String)
    /// Major type 4.
    case array([CBOR])
    /// Major type 5 with text keys, the only maps the protocol uses.
    case map([String: CBOR])
    /// Simple values 20 and 21 (`f4`, `f5`).
    case bool(Bool)
    /// Simple value 22 (`f6`); the protocol omits optional fields instead, but peers may send it.
    case null
}

extension CBOR {
    /// The value stored under `key` when this is a map; `nil` for a missing key or a non-map.
    public subscript(key: String) -> CBOR? {
        guard case .map(let entries) = self else { return nil }
        return entries[key]
    }

    /// The value of an unsigned integer.
    public var uint: UInt64? {
        guard case .unsigned(let value) = self else { return nil }
        return value
    }

    /// The content of a byte string.
    public var bytes: [UInt8]? {
        guard case .bytes(let value) = self else { return nil }
        return value
    }

    /// The content of a text string.
    public var text: String? {
        guard case .text(let value) = self else { return nil }
        return value
    }

    /// The value of a boolean.
    public var bool: Bool? {
        guard case .bool(let value) = self else { return nil }
        return value
    }

    /// The elements of an array.
    public var array: [CBOR]? {
        guard case .array(let value) = self else { return nil }
        return value
    }

    /// The entries of a map.
    public var map: [String: CBOR]? {
        guard case .map(let value) = self else { return nil }
        return value
    }
}
