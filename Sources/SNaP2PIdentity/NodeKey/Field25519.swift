/// An element of GF(2^255 - 19) in five 51-bit limbs, just enough arithmetic to map Ed25519 public
/// keys to X25519 ones.
///
/// Only public keys pass through here, so the code is variable-time. Products are accumulated in a
/// two-word ``Wide`` (not `UInt128`, which needs macOS 15). Limbs stay below 2^52 between operations.
struct Field25519: Equatable {
    private var limbs: (UInt64, UInt64, UInt64, UInt64, UInt64)

    private static let mask: UInt64 = (1 << 51) - 1

    private init(_ l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64, _ l4: UInt64) {
        limbs = (l0, l1, l2, l3, l4)
    }

    /// A small constant.
    init(_ value: UInt64) {
        precondition(value < 1 << 51)
        self.init(value, 0, 0, 0, 0)
    }

    static let zero = Field25519(0)
    static let one = Field25519(1)

    /// Reads 32 little-endian bytes with bit 255 ignored; nil when the value is not below p.
    init?(canonicalLittleEndian bytes: [UInt8]) {
        precondition(bytes.count == 32)
        var words = [UInt64](repeating: 0, count: 4)
        for index in 0..<32 { words[index / 8] |= UInt64(bytes[index]) << UInt64(8 * (index % 8)) }
        let mask = Self.mask
        self.init(
            words[0] & mask,
            (words[0] >> 51 | words[1] << 13) & mask,
            (words[1] >> 38 | words[2] << 26) & mask,
            (words[2] >> 25 | words[3] << 39) & mask,
            (words[3] >> 12) & mask)
        let (l0, l1, l2, l3, l4) = limbs
        // p = 2^255 - 19 has limbs (2^51 - 19, 2^51 - 1, 2^51 - 1, 2^51 - 1, 2^51 - 1).
        if l4 == mask, l3 == mask, l2 == mask, l1 == mask, l0 >= mask - 18 { return nil }
    }

    /// 32 little-endian bytes of the fully reduced value.
    var bytes: [UInt8] {
        // After one carry the value is below 2p. q = 1 exactly when value + 19 reaches 2^255, i.e. value >= p;
        // then value - p = value + 19 - 2^255.
        var (l0, l1, l2, l3, l4) = carried().limbs
        let mask = Self.mask
        var q = (l0 + 19) >> 51
        q = (l1 + q) >> 51
        q = (l2 + q) >> 51
        q = (l3 + q) >> 51
        q = (l4 + q) >> 51
        l0 += 19 * q
        l1 += l0 >> 51; l0 &= mask
        l2 += l1 >> 51; l1 &= mask
        l3 += l2 >> 51; l2 &= mask
        l4 += l3 >> 51; l3 &= mask
        l4 &= mask
        let words = [l0 | l1 << 51, l1 >> 13 | l2 << 38, l2 >> 26 | l3 << 25, l3 >> 39 | l4 << 12]
        var out = [UInt8](repeating: 0, count: 32)
        for index in 0..<32 { out[index] = UInt8(truncatingIfNeeded: words[index / 8] >> UInt64(8 * (index % 8))) }
        return out
    }

    var isZero: Bool { bytes == Self.zero.bytes }

    static func == (lhs: Field25519, rhs: Field25519) -> Bool { lhs.bytes == rhs.bytes }

    /// Moves each limb's bits above 51 into the next limb (the top one wraps around times 19).
    private func carried() -> Field25519 {
        var (l0, l1, l2, l3, l4) = limbs
        let mask = Self.mask
        l1 += l0 >> 51; l0 &= mask
        l2 += l1 >> 51; l1 &= mask
        l3 += l2 >> 51; l2 &= mask
        l4 += l3 >> 51; l3 &= mask
        l0 += (l4 >> 51) * 19; l4 &= mask
        l1 += l0 >> 51; l0 &= mask
        return Field25519(l0, l1, l2, l3, l4)
    }

    static func + (a: Field25519, b: Field25519) -> Field25519 {
        Field25519(
            a.limbs.0 + b.limbs.0, a.limbs.1 + b.limbs.1, a.limbs.2 + b.limbs.2,
            a.limbs.3 + b.limbs.3, a.limbs.4 + b.limbs.4
        ).carried()
    }

    /// a - b computed as a + 2p - b, so no limb goes negative.
    static func - (a: Field25519, b: Field25519) -> Field25519 {
        let twoP0: UInt64 = (1 << 52) - 38
        let twoP: UInt64 = (1 << 52) - 2
        return Field25519(
            a.limbs.0 + twoP0 - b.limbs.0, a.limbs.1 + twoP - b.limbs.1, a.limbs.2 + twoP - b.limbs.2,
            a.limbs.3 + twoP - b.limbs.3, a.limbs.4 + twoP - b.limbs.4
        ).carried()
    }

    static func * (a: Field25519, b: Field25519) -> Field25519 {
        let (a0, a1, a2, a3, a4) = a.limbs
        let (b0, b1, b2, b3, b4) = b.limbs
        // 2^255 = 19 (mod p): limb products past the top wrap around multiplied by 19.
        let (c1, c2, c3, c4) = (b1 * 19, b2 * 19, b3 * 19, b4 * 19)
        var r0 = Wide(a0, b0); r0.add(a1, c4); r0.add(a2, c3); r0.add(a3, c2); r0.add(a4, c1)
        var r1 = Wide(a0, b1); r1.add(a1, b0); r1.add(a2, c4); r1.add(a3, c3); r1.add(a4, c2)
        var r2 = Wide(a0, b2); r2.add(a1, b1); r2.add(a2, b0); r2.add(a3, c4); r2.add(a4, c3)
        var r3 = Wide(a0, b3); r3.add(a1, b2); r3.add(a2, b1); r3.add(a3, b0); r3.add(a4, c4)
        var r4 = Wide(a0, b4); r4.add(a1, b3); r4.add(a2, b2); r4.add(a3, b1); r4.add(a4, b0)

        let mask = Self.mask
        r1.add(r0.shiftedRight51); let l0 = r0.low & mask
        r2.add(r1.shiftedRight51); let l1 = r1.low & mask
        r3.add(r2.shiftedRight51); let l2 = r2.low & mask
        r4.add(r3.shiftedRight51); let l3 = r3.low & mask
        let top = r4.shiftedRight51; let l4 = r4.low & mask
        return Field25519(l0 + top * 19, l1, l2, l3, l4).carried()
    }

    func squared() -> Field25519 { self * self }

    private func squared(times count: Int) -> Field25519 {
        var result = self
        for _ in 0..<count { result = result * result }
        return result
    }

    /// z^(2^250 - 1), z^11 and z^2: the shared prefix of the inversion and Legendre chains (from ref10).
    private func powerChain() -> (z250: Field25519, z11: Field25519, z2: Field25519) {
        let z2 = squared()
        let z9 = self * z2.squared(times: 2)
        let z11 = z2 * z9
        let z5 = z9 * z11.squared()  // z^(2^5 - 1)
        let z10 = z5.squared(times: 5) * z5
        let z20 = z10.squared(times: 10) * z10
        let z40 = z20.squared(times: 20) * z20
        let z50 = z40.squared(times: 10) * z10
        let z100 = z50.squared(times: 50) * z50
        let z200 = z100.squared(times: 100) * z100
        let z250 = z200.squared(times: 50) * z50
        return (z250, z11, z2)
    }

    /// 1/z = z^(p-2) = z^(2^255 - 21); zero maps to zero.
    func inverted() -> Field25519 {
        let (z250, z11, _) = powerChain()
        return z250.squared(times: 5) * z11
    }

    /// Whether z is a square (zero included): z^((p-1)/2) = z^(2^254 - 10) is 0 or 1.
    var isSquare: Bool {
        let (z250, _, z2) = powerChain()
        let legendre = z250.squared(times: 4) * z2 * z2.squared()
        return legendre == .one || legendre == .zero
    }
}

/// An unsigned 128-bit accumulator for limb products (sums stay below 2^111).
private struct Wide {
    var high: UInt64
    var low: UInt64

    init(_ a: UInt64, _ b: UInt64) {
        (high, low) = a.multipliedFullWidth(by: b)
    }

    mutating func add(_ a: UInt64, _ b: UInt64) {
        let (productHigh, productLow) = a.multipliedFullWidth(by: b)
        let (sum, carry) = low.addingReportingOverflow(productLow)
        low = sum
        high = high &+ productHigh &+ (carry ? 1 : 0)
    }

    mutating func add(_ value: UInt64) {
        let (sum, carry) = low.addingReportingOverflow(value)
        low = sum
        high = high &+ (carry ? 1 : 0)
    }

    var shiftedRight51: UInt64 { high << 13 | low >> 51 }
}
