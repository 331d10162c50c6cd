import SNaP2PFileTransfer
import SNaP2PWire
import Testing

/// The `file-1` messages byte for byte (these bytes are the examples in docs/FILE-TRANSFER.md),
/// and every header a receiver must refuse.
@Suite struct FileTransferMessageTests {
    static let digest = Array(0..<32).map { UInt8($0) }

    @Test func headerBytesAreTheDocumentedOnes() throws {
        let offer = FileOffer(name: "hi.txt", size: 3, sha256: Self.digest)
        let expected = try Hex.decode(
            "3f" + "a4" + "646e616d65" + "666869 2e747874".replacingOccurrences(of: " ", with: "")
                + "66736861323536" + "5820" + Hex.encode(Self.digest)
                + "6473697a65" + "03" + "6176" + "01")
        #expect(offer.encoded() == expected)
        #expect(try FileOffer(decoding: Array(expected.dropFirst())) == offer)
    }

    @Test func answersAndTrailersRoundTrip() throws {
        #expect(FileAnswer.accept(offset: 0).encoded() == (try Hex.decode("11a266616363657074f5666f666673657400")))
        let answers: [FileAnswer] = [
            .accept(offset: 0), .accept(offset: 1 << 40),
            .refuse(FileTransferRefusal(.declined)), .refuse(FileTransferRefusal(.unavailable, message: "disk full")),
        ]
        for answer in answers {
            #expect(try FileAnswer(decoding: Array(answer.encoded().dropFirst())) == answer)
        }
        let trailers: [FileTrailer] = [
            .verified(sha256: Self.digest), .failed(FileTransferRefusal(.hashMismatch, message: "kept")),
        ]
        for trailer in trailers {
            #expect(try FileTrailer(decoding: Array(trailer.encoded().dropFirst())) == trailer)
        }
    }

    @Test func aLongMessageIsCutToTheLimitOnWholeCharacters() throws {
        let answer = FileAnswer.refuse(FileTransferRefusal(.declined, message: String(repeating: "é", count: 600)))
        let encoded = answer.encoded()
        var reader = FrameDecoder(maximumFrameLength: FileTransferProtocol.maximumMessageLength)
        reader.append(encoded)
        guard case .refuse(let refusal) = try FileAnswer(decoding: try #require(try reader.nextFrame())) else {
            Issue.record("not a refusal")
            return
        }
        #expect(refusal.message == String(repeating: "é", count: 512))
    }

    @Test func headersThatBreakTheRulesAreRefused() throws {
        func header(_ fields: [String: CBOR]) -> [UInt8] { CBOR.map(fields).encoded() }
        let good: [String: CBOR] = ["v": .unsigned(1), "name": .text("a"), "size": .unsigned(1), "sha256": .bytes(Self.digest)]
        func with(_ key: String, _ value: CBOR?) -> [UInt8] {
            var fields = good
            fields[key] = value
            return header(fields)
        }
        #expect(throws: FileTransferProtocolError.unsupportedVersion(2)) { try FileOffer(decoding: with("v", .unsigned(2))) }
        let malformed: [[UInt8]] = [
            with("v", nil), with("name", nil), with("name", .text("")), with("name", .bytes([0x61])),
            with("name", .text(String(repeating: "x", count: 256))),
            with("size", nil), with("size", .unsigned(UInt64(Int64.max) + 1)), with("size", .negative(0)),
            with("sha256", .bytes(Array(Self.digest.dropLast()))), with("sha256", nil),
            CBOR.array([]).encoded(), [0xff], header(good) + [0x00],
        ]
        for body in malformed {
            #expect(throws: FileTransferProtocolError.self) { try FileOffer(decoding: body) }
        }
        // Unknown keys are left for later versions.
        #expect(try FileOffer(decoding: with("mtime", .unsigned(1))).name == "a")
        #expect(try FileOffer(decoding: with("name", .text(String(repeating: "x", count: 255)))).name.count == 255)
    }
}
