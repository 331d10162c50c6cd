import SNaP2PIdentity
import SNaP2PWire

/// Text a peer or a user hands us: Stacks addresses, `stacks:` principals (AUTH_OK, attestations,
/// allowlists), c32 and c32check, and hex (node keys, tokens).
///
/// Checks: what parses prints canonically and parses back to the same value; an address parses
/// exactly when its principal does; c32 and hex round-trip both ways, decoding is canonical up to
/// case and Crockford's aliases; text over the length limit is refused before any work.
enum AddressTarget {
    static let target = FuzzTarget("address", dictionary: "address") { bytes in
        var input = FuzzInput(bytes)
        let mode = input.int(in: 0...4)
        let rest = input.rest()
        let text = String(decoding: rest, as: UTF8.self)
        switch mode {
        case 0: checkAddress(text)
        case 1: checkPrincipal(text)
        case 2: checkC32Text(text)
        case 3: checkC32Bytes(rest)
        default: checkHex(text, bytes: rest)
        }
    }

    static func checkAddress(_ text: String) {
        let parsed = withAllocationLimit(4096, "StacksAddress of \(text.utf8.count) bytes") {
            Result { () throws(StacksAddressError) in try StacksAddress(text) }
        }
        let principal = Result { () throws(PrincipalError) in try Principal(Principal.prefix + text) }
        guard case .success(let address) = parsed else {
            return invariant(principal.successValue == nil, "\"stacks:\(text)\" parsed but the address did not: \(parsed)")
        }
        invariant(principal.successValue?.address == address, "the principal of \(address) parsed as \(principal)")
        checkCanonical(address)
    }

    static func checkCanonical(_ address: StacksAddress) {
        let canonical = address.description
        invariant(canonical == "S" + C32.checkEncode(version: address.version.rawValue, payload: address.hash160), "description is not S + c32check")
        invariant(canonical.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5a) }, "description \(canonical) is not upper-case c32")
        invariant((try? StacksAddress(canonical)) == address, "\(canonical) does not parse back")
        invariant((try? StacksAddress(canonical.lowercased())) == address, "\(canonical) in lower case does not parse")
        invariant(address.hash160.count == 20, "hash160 of \(address.hash160.count) bytes")
    }

    static func checkPrincipal(_ text: String) {
        guard let principal = try? Principal(text) else { return }
        invariant(principal.description.hasPrefix(Principal.prefix), "principal prints as \(principal.description)")
        invariant((try? Principal(principal.description)) == principal, "\(principal) does not parse back")
        invariant(principal.network == principal.address.network, "network differs from the address's")
        checkCanonical(principal.address)
    }

    static func checkC32Text(_ text: String) {
        if let decoded = try? C32.decode(text) {
            let encoded = C32.encode(decoded)
            invariant(encoded == normalized(text), "c32 \(text) re-encodes as \(encoded)")
            invariant((try? C32.decode(encoded)) == decoded, "c32 re-encoding decodes differently")
        }
        if let (version, payload) = try? C32.checkDecode(text) {
            invariant(version < 32, "c32check version \(version)")
            invariant(C32.checkEncode(version: version, payload: payload) == normalized(text), "c32check \(text) re-encodes differently")
        }
    }

    /// Crockford normalisation: upper case, O to 0, I and L to 1.
    static func normalized(_ text: String) -> String {
        String(text.uppercased().map { character -> Character in
            switch character {
            case "O": "0"
            case "I", "L": "1"
            default: character
            }
        })
    }

    static func checkC32Bytes(_ bytes: [UInt8]) {
        let encoded = C32.encode(bytes)
        invariant((try? C32.decode(encoded)) == bytes, "c32 round trip failed for \(Hex.encode(bytes))")
        let version = (bytes.first ?? 0) & 31
        let payload = Array(bytes.dropFirst())
        let checked = C32.checkEncode(version: version, payload: payload)
        let decoded = try? C32.checkDecode(checked)
        invariant(decoded?.version == version && decoded?.payload == payload, "c32check round trip failed")
        if payload.count >= 20 {
            let versions = StacksAddress.Version.allCases
            let address = try! StacksAddress(version: versions[Int(version) % versions.count], hash160: Array(payload.prefix(20)))
            checkCanonical(address)
        }
    }

    static func checkHex(_ text: String, bytes: [UInt8]) {
        invariant((try? Hex.decode(Hex.encode(bytes))) == bytes, "hex round trip failed")
        guard let decoded = try? Hex.decode(text) else { return }
        let digits = text.hasPrefix("0x") || text.hasPrefix("0X") ? String(text.dropFirst(2)) : text
        invariant(Hex.encode(decoded) == digits.lowercased(), "hex \(text) re-encodes as \(Hex.encode(decoded))")
    }
}
