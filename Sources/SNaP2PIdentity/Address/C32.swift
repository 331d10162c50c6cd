import Crypto

/// Crockford base32 as Stacks uses it ("c32"), and c32check (version + payload + checksum).
///
/// The encoding treats the bytes as one big-endian number written in base 32 without leading zero
/// digits, then writes one `0` for each leading zero byte, exactly like the `c32check` npm package.
public enum C32 {
    /// The 32 digits; `I`, `L`, `O` and `U` are left out.
    public static let alphabet: [Character] = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    /// Why c32 text was refused.
    public enum DecodingError: Error, Equatable, Sendable {
        /// A character outside the alphabet (after case folding and `O`->0, `I`/`L`->1), at this offset.
        case badCharacter(Character, offset: Int)
        /// c32check text too short to hold a version and a 4-byte checksum.
        case tooShort
        /// The 4-byte c32check checksum does not match.
        case badChecksum
    }

    /// Encodes bytes as c32 text.
    public static func encode(_ bytes: [UInt8]) -> String {
        String(decoding: encodedDigits(bytes), as: UTF8.self)
    }

    /// The ASCII digits of ``encode(_:)``, built in one array (this runs in every handshake).
    private static func encodedDigits(_ bytes: [UInt8]) -> [UInt8] {
        let leadingZeroBytes = bytes.prefix { $0 == 0 }.count
        // Least significant digit first, then turned around in place.
        var digits: [UInt8] = []
        digits.reserveCapacity(bytes.count * 8 / 5 + 1 + leadingZeroBytes)
        var buffer: UInt32 = 0
        var bufferedBits = 0
        for byte in bytes.reversed() {
            buffer |= UInt32(byte) << UInt32(bufferedBits)
            bufferedBits += 8
            while bufferedBits >= 5 {
                digits.append(asciiAlphabet[Int(buffer & 31)])
                buffer >>= 5
                bufferedBits -= 5
            }
        }
        if bufferedBits > 0 { digits.append(asciiAlphabet[Int(buffer)]) }
        while digits.last == zeroDigit { digits.removeLast() }
        digits.append(contentsOf: repeatElement(zeroDigit, count: leadingZeroBytes))
        digits.reverse()
        return digits
    }

    /// ``alphabet`` as ASCII bytes.
    private static let asciiAlphabet: [UInt8] = Array(String(alphabet).utf8)
    private static let zeroDigit = UInt8(ascii: "0")

    /// Decodes c32 text, case-insensitively, reading `O` as 0 and `I`/`L` as 1.
    public static func decode(_ text: String) throws(DecodingError) -> [UInt8] {
        let values = try digitValues(text)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 5 / 8 + 1)
        var buffer: UInt32 = 0
        var bufferedBits = 0
        for value in values.reversed() {
            buffer |= UInt32(value) << UInt32(bufferedBits)
            bufferedBits += 5
            if bufferedBits >= 8 {
                bytes.append(UInt8(truncatingIfNeeded: buffer))
                buffer >>= 8
                bufferedBits -= 8
            }
        }
        if buffer != 0 { bytes.append(UInt8(buffer)) }
        while bytes.last == 0 { bytes.removeLast() }
        let leadingZeroDigits = values.prefix { $0 == 0 }.count
        return [UInt8](repeating: 0, count: leadingZeroDigits) + bytes.reversed()
    }

    /// `c32(version) + c32(payload || checksum4)`, where checksum4 starts SHA-256(SHA-256(version || payload)).
    public static func checkEncode(version: UInt8, payload: [UInt8]) -> String {
        precondition(version < 32, "a c32check version is one c32 digit")
        var text = [asciiAlphabet[Int(version)]]
        text.append(contentsOf: encodedDigits(payload + checksum(version: version, payload: payload)))
        return String(decoding: text, as: UTF8.self)
    }

    /// Splits c32check text into its version and payload, verifying the checksum.
    public static func checkDecode(_ text: String) throws(DecodingError) -> (version: UInt8, payload: [UInt8]) {
        guard let first = text.first else { throw .tooShort }
        let version = try digitValues(String(first))[0]
        var body: [UInt8]
        do {
            body = try decode(String(text.dropFirst()))
        } catch {
            guard case .badCharacter(let character, let offset) = error else { throw error }
            throw .badCharacter(character, offset: offset + 1)
        }
        guard body.count >= 4 else { throw .tooShort }
        let payload = Array(body.dropLast(4))
        guard Array(body.suffix(4)) == checksum(version: version, payload: payload) else { throw .badChecksum }
        return (version, payload)
    }

    private static func checksum(version: UInt8, payload: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: Array(SHA256.hash(data: [version] + payload))).prefix(4))
    }

    /// Digit values of c32 text after Crockford's folding.
    private static func digitValues(_ text: String) throws(DecodingError) -> [UInt8] {
        // ASCII text (every valid text) is read byte by byte; anything else, or a bad digit, takes
        // the character-by-character path below, which names the offending character.
        var values: [UInt8] = []
        values.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            guard byte < 0x80, case let value = asciiDigitValues[Int(byte)], value != invalidDigit else {
                return try characterDigitValues(text)
            }
            values.append(value)
        }
        return values
    }

    private static let invalidDigit: UInt8 = 0xFF
    /// ``digitTable`` as a 128-entry array.
    private static let asciiDigitValues: [UInt8] = (0..<128).map { digitTable[UInt8($0)] ?? invalidDigit }

    private static func characterDigitValues(_ text: String) throws(DecodingError) -> [UInt8] {
        var values: [UInt8] = []
        values.reserveCapacity(text.utf8.count)
        for (offset, character) in text.enumerated() {
            guard let value = digitValue(character) else { throw .badCharacter(character, offset: offset) }
            values.append(value)
        }
        return values
    }

    private static let digitTable: [UInt8: UInt8] = {
        var table: [UInt8: UInt8] = [:]
        for (value, digit) in alphabet.enumerated() {
            let ascii = digit.asciiValue!
            table[ascii] = UInt8(value)
            table[ascii | 0x20] = UInt8(value)  // lowercase (digits map to themselves)
        }
        for (alias, value) in [("O", 0), ("I", 1), ("L", 1)] as [(Character, UInt8)] {
            table[alias.asciiValue!] = value
            table[alias.asciiValue! | 0x20] = value
        }
        return table
    }()

    private static func digitValue(_ character: Character) -> UInt8? {
        guard let ascii = character.asciiValue else { return nil }
        return digitTable[ascii]
    }
}
