import Crypto

/// Bitcoin's Base58Check text encoding, the form BIP-32 extended keys (`xprv…`) are written in.
enum Base58Check {
    private static let alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)

    /// Base58 of `payload` followed by the first 4 bytes of SHA-256(SHA-256(payload)).
    /// Payloads here hold private keys, so the working buffers are zeroed.
    static func encode(_ payload: [UInt8]) -> String {
        var data = payload
        data.append(contentsOf: SHA256.hash(data: Array(SHA256.hash(data: payload))).prefix(4))
        defer { secureZero(&data) }
        return base58(data)
    }

    /// Plain Base58: each leading zero byte becomes a '1', the rest is the big-endian number in base 58.
    private static func base58(_ bytes: [UInt8]) -> String {
        let leadingZeros = bytes.prefix(while: { $0 == 0 }).count
        // Little-endian base-58 digits of the number, grown one input byte at a time.
        var digits: [UInt8] = []
        digits.reserveCapacity(bytes.count * 138 / 100 + 1)
        defer { secureZero(&digits) }
        for byte in bytes[leadingZeros...] {
            var carry = Int(byte)
            for index in digits.indices {
                carry += Int(digits[index]) << 8
                digits[index] = UInt8(carry % 58)
                carry /= 58
            }
            while carry > 0 {
                digits.append(UInt8(carry % 58))
                carry /= 58
            }
        }
        var text = [UInt8](repeating: alphabet[0], count: leadingZeros)
        text.append(contentsOf: digits.reversed().map { alphabet[Int($0)] })
        defer { secureZero(&text) }
        return String(decoding: text, as: UTF8.self)
    }
}
