import SNaP2PWire
import Testing
import TestSupport

/// Seeded fuzzing: random and mutated inputs must only ever throw typed errors, never crash,
/// and whatever decodes must re-encode to something that decodes to the same value.
@Suite struct FuzzTests {
    static let iterations = 200_000

    private static var seeds: [[UInt8]] {
        let vectors = (Vectors.value(Vectors.reference, "wire", "messages") as! [[String: Any]])
            .map { [UInt8](hex: $0["cbor"] as! String) }
        return vectors + ReferenceMessage.samples.map { $0.encoded() }
    }

    private static func mutate(_ input: [UInt8], using random: inout SeededRandom) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            switch Int.random(in: 0..<6, using: &random) {
            case 0 where !bytes.isEmpty:
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            case 1 where !bytes.isEmpty:
                bytes[Int.random(in: 0..<bytes.count, using: &random)] ^= 1 << UInt8.random(in: 0..<8, using: &random)
            case 2:
                bytes.insert(UInt8.random(in: 0...255, using: &random), at: Int.random(in: 0...bytes.count, using: &random))
            case 3 where !bytes.isEmpty:
                bytes.remove(at: Int.random(in: 0..<bytes.count, using: &random))
            case 4:
                bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random)))
            default:
                // Heads that claim huge lengths or deep nesting.
                let hostile: [[UInt8]] = [[0x7a, 0xff, 0xff, 0xff, 0xff], [0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
                                          [0xbf], [0xc0], [0x81, 0x81, 0x81], [0xf9, 0x7e, 0x00], [0x5f]]
                bytes.insert(contentsOf: hostile.randomElement(using: &random)!, at: Int.random(in: 0...bytes.count, using: &random))
            }
        }
        return bytes
    }

    private static func input(_ index: Int, seeds: [[UInt8]], using random: inout SeededRandom) -> [UInt8] {
        index % 3 == 0
            ? random.bytes(count: Int.random(in: 0..<48, using: &random))
            : mutate(seeds[index % seeds.count], using: &random)
    }

    @Test func cborDecoderOnlyThrows() throws {
        var random = SeededRandom(seed: 0xf022_0001)
        let seeds = Self.seeds
        var decodedCount = 0
        for index in 0..<Self.iterations {
            let bytes = Self.input(index, seeds: seeds, using: &random)
            guard let value = try? CBOR.decode(bytes) else { continue }
            decodedCount += 1
            #expect(try CBOR.decode(value.encoded()) == value)
        }
        #expect(decodedCount > 0)
    }

    @Test func controlMessageDecoderOnlyThrows() throws {
        var random = SeededRandom(seed: 0xf022_0002)
        let seeds = Self.seeds
        var decodedCount = 0
        for index in 0..<Self.iterations {
            let bytes = Self.input(index, seeds: seeds, using: &random)
            guard let message = try? ControlMessage.decode(bytes) else { continue }
            decodedCount += 1
            #expect(try ControlMessage.decode(message.encoded()) == message)
        }
        #expect(decodedCount > 1000)
    }

    @Test func frameDecoderOnlyThrows() throws {
        var random = SeededRandom(seed: 0xf022_0003)
        let seeds = Self.seeds.map(Framing.frame)
        var frames = 0
        for index in 0..<Self.iterations / 10 {
            var decoder = FrameDecoder(maximumFrameLength: [16, 1024, FramingLimits.unauthenticatedFrameLength].randomElement(using: &random)!)
            var stream = Self.input(index, seeds: seeds, using: &random)
            if index % 2 == 0 { stream += seeds.randomElement(using: &random)! }
            var offset = 0
            reading: while offset < stream.count {
                let end = min(stream.count, offset + Int.random(in: 1...64, using: &random))
                decoder.append(stream[offset..<end])
                offset = end
                do {
                    while try decoder.nextFrame() != nil { frames += 1 }
                } catch {
                    break reading
                }
            }
        }
        #expect(frames > 0)
    }
}
