import Crypto
import SNaP2PFileProtocol
import SNaP2PWire
import Testing

/// The `file-1` messages byte for byte (these bytes are the examples in docs/FILE-TRANSFER.md),
/// and every header a receiver must refuse.
@Suite struct FileTransferMessageTests {
    static let digest = Array(0..<32).map { UInt8($0) }

    /// SHA-256 of "Hello, world\n" (37980c33…), the file of the examples.
    static let helloDigest = Array(SHA256.hash(data: Array("Hello, world\n".utf8)))

    @Test func messagesAreTheDocumentedBytes() throws {
        let offer = FileOffer(name: "hello.txt", size: 13, sha256: Self.helloDigest)
        let header = try Hex.decode(
            "42a4646e616d656968656c6c6f2e74787466736861323536582037980c33951de6b0e450c3701b219bfeee93054470"
                + "5f637cd1158b63827bb3906473697a650d617601")
        #expect(offer.encoded() == header)
        #expect(try FileOffer(decoding: Array(header.dropFirst())) == offer)
        let examples: [([UInt8], String)] = [
            (FileAnswer.accept(offset: 0).encoded(), "11a266616363657074f5666f666673657400"),
            (FileAnswer.accept(offset: 5).encoded(), "11a266616363657074f5666f666673657405"),
            (FileAnswer.refuse(FileTransferRefusal(.declined, message: "the receiver declined")).encoded(),
             "37a366616363657074f4676d65737361676575746865207265636569766572206465636c696e656466726561736f6e686465636c696e6564"),
            (FileTrailer.verified(sha256: Self.helloDigest).encoded(),
             "2ea2626f6bf566736861323536582037980c33951de6b0e450c3701b219bfeee930544705f637cd1158b63827bb390"),
            (FileTrailer.failed(FileTransferRefusal(.hashMismatch)).encoded(), "1aa2626f6bf466726561736f6e6d686173682d6d69736d61746368"),
        ]
        for (encoded, hex) in examples { #expect(Hex.encode(encoded) == hex) }
    }

    @Test func answersAndTrailersRoundTrip() throws {
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
