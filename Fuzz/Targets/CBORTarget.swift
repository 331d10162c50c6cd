import SNaP2PWire

/// `CBOR.decode`, the parser under every control message and attestation.
///
/// Checks: lengths are checked before allocation (nothing allocated is far larger than the input);
/// contiguous and non-contiguous input decode alike; whatever decodes re-encodes canonically and
/// decodes to the same value; the canonical form is a fixed point; no proper prefix of it decodes
/// (an item is self-delimiting) and a trailing byte is reported as such; nesting stays within
/// ``CBOR/maximumNestingDepth``.
enum CBORTarget {
    static let target = FuzzTarget("cbor", dictionary: "cbor") { input in
        let result = withAllocationLimit(allocationLimit(input.count), "CBOR.decode of \(input.count) bytes") {
            Result { () throws(CBORDecodingError) in try CBOR.decode(input) }
        }
        // The other code path: a collection without contiguous storage is copied first.
        let viaCopy = Result { () throws(CBORDecodingError) in try CBOR.decode(AnyCollection(input)) }
        invariant(viaCopy == result, "non-contiguous input decoded differently: \(viaCopy) vs \(result)")

        guard case .success(let value) = result else { return }
        invariant(depth(of: value) <= CBOR.maximumNestingDepth, "nesting deeper than \(CBOR.maximumNestingDepth) decoded")

        let canonical = value.encoded()
        let again = Result { () throws(CBORDecodingError) in try CBOR.decode(canonical) }
        invariant(again == .success(value), "decode(encode(x)) != x for \(Hex.encode(canonical)): \(again)")
        invariant(value.encoded() == canonical, "encoding is not deterministic")
        if case .success(let reparsed) = again {
            invariant(reparsed.encoded() == canonical, "canonical encoding is not a fixed point")
        }

        var trailing = canonical
        trailing.append(input.last ?? 0)
        invariant(
            Result { () throws(CBORDecodingError) in try CBOR.decode(trailing) } == .failure(.trailingBytes(count: 1)),
            "a trailing byte was not reported")
        for cut in Set([0, canonical.count / 2, canonical.count - 1]) where cut < canonical.count {
            let prefix = Array(canonical[..<cut])
            invariant((try? CBOR.decode(prefix)) == nil, "a proper prefix (\(cut) of \(canonical.count) bytes) decoded")
        }
    }

    /// Arrays hold 8-byte references and maps about 60 bytes per possible entry (two input bytes
    /// at least), so a decoder that checks lengths first stays within this.
    static func allocationLimit(_ inputCount: Int) -> Int {
        64 * inputCount + 4096
    }

    static func depth(of value: CBOR) -> Int {
        switch value {
        case .array(let elements): 1 + (elements.map(depth).max() ?? 0)
        case .map(let entries): 1 + (entries.values.map(depth).max() ?? 0)
        default: 0
        }
    }
}
