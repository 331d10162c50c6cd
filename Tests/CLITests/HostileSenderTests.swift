import Crypto
import Foundation
import SNaP2P
import SNaP2PFileTransfer
import Testing

/// A real `snap2p receive` against a sender that breaks the rules: this test process dials it
/// with the library and writes `file-1` streams by hand.
@Suite struct HostileSenderTests {
    /// A receiver that takes everything, and a session with it.
    private static func connect(_ scratch: FileTransferScratch) async throws -> (RunningReceiver, Connection) {
        let receiver = try await RunningReceiver.start(into: scratch.inbox, ["--yes", "--keep"])
        let connection = try await Peer(configuration: PeerConfiguration(network: .testnet)).dial(receiver.address)
        return (receiver, connection)
    }

    /// Sends `header` then `body` and finishes; returns everything the receiver sent back.
    private static func exchange(_ connection: Connection, header: [UInt8], body: [UInt8]?) async throws -> [UInt8] {
        let stream = try await connection.openStream(label: FileTransferProtocol.streamLabel)
        try await stream.write(header)
        var inbound = stream.inbound.makeAsyncIterator()
        var replies = try await inbound.next() ?? []
        if let body {
            try? await stream.write(body)
            try? await stream.finish()
        }
        while let chunk = try? await inbound.next() { replies += chunk }
        return replies
    }

    private static func offer(_ name: String, _ content: [UInt8], size: Int? = nil) -> FileOffer {
        FileOffer(name: name, size: UInt64(size ?? content.count), sha256: Array(SHA256.hash(data: content)))
    }

    @Test func pathsAndControlCharactersAreReducedToANameInsideTheDirectory() async throws {
        let scratch = try FileTransferScratch()
        let (receiver, connection) = try await Self.connect(scratch)
        defer { receiver.process.stop() }
        let cases = [
            ("../../etc/passwd", "passwd"), ("/tmp/absolute.txt", "absolute.txt"),
            ("bad\u{1B}[31mname\u{07}\n.txt", "bad[31mname.txt"), (".profile", "profile"), ("..", "file"),
        ]
        for (name, stored) in cases {
            let content = Array("content of \(name)".utf8)
            let replies = try await Self.exchange(connection, header: Self.offer(name, content).encoded(), body: content)
            var sender = FileSendingStateMachine(offer: Self.offer(name, content))
            let events = try sender.receive(replies)
            #expect(events.count == 2)
            guard case .trailer(.verified) = events.last else {
                Issue.record("\(name): \(events)")
                continue
            }
            let done = try #require(try await receiver.events(through: "done").last)
            #expect(done["path"] as? String == scratch.inbox + "/" + stored)
            #expect(try FileTransferScratch.contents(scratch.inbox + "/" + stored) == Data(content))
        }
        #expect(try scratch.received() == cases.map(\.1).sorted())
        // Nothing was written outside, and no escape sequence reached the receiver's output.
        #expect(!FileManager.default.fileExists(atPath: scratch.root + "/passwd"))
        #expect(!receiver.process.lines.joined().contains("\u{1B}"))
        await connection.close()
    }

    @Test func anOversizeOrUnreadableHeaderIsRefusedAndNothingIsCreated() async throws {
        let scratch = try FileTransferScratch()
        let (receiver, connection) = try await Self.connect(scratch)
        defer { receiver.process.stop() }
        // A length prefix of 1 MiB, then a little of its body: refused from the prefix alone.
        let oversize = try await Self.exchange(connection, header: [0x80, 0x80, 0x40] + Array(repeating: 0x61, count: 100), body: nil)
        var sender = FileSendingStateMachine(offer: Self.offer("x", []))
        guard case .answer(.refuse(let refusal)) = try sender.receive(oversize).first else {
            Issue.record("not refused: \(oversize)")
            return
        }
        #expect(refusal.reason == .invalidOffer)
        let error = try #require(try await receiver.events(through: "error").last)
        #expect(error["reason"] as? String == "invalid-offer")
        #expect((error["error"] as? String)?.contains("1048576 bytes") == true, "\(error)")

        // A header that is no CBOR map, and one with a name of 300 bytes.
        for header in [[0x02, 0x01, 0x02], Array(Self.offer(String(repeating: "n", count: 300), []).encoded())] {
            let replies = try await Self.exchange(connection, header: header, body: nil)
            var machine = FileSendingStateMachine(offer: Self.offer("x", []))
            guard case .answer(.refuse(let refusal)) = try machine.receive(replies).first else {
                Issue.record("not refused: \(replies)")
                continue
            }
            #expect(refusal.reason == .invalidOffer)
            _ = try await receiver.events(through: "error")
        }
        #expect(try scratch.received() == [])
        await connection.close()
    }

    @Test func aSizeThatLiesFailsTheTransferBothWays() async throws {
        let scratch = try FileTransferScratch()
        let (receiver, connection) = try await Self.connect(scratch)
        defer { receiver.process.stop() }
        let content = Array(repeating: UInt8(7), count: 20)

        // Announces 10 bytes, sends 20.
        let long = Self.offer("long.bin", Array(content.prefix(10)))
        var machine = FileSendingStateMachine(offer: long)
        let longReplies = try await Self.exchange(connection, header: long.encoded(), body: content)
        #expect(try machine.receive(longReplies).last == .trailer(.failed(FileTransferRefusal(
            .tooManyBytes, message: "more bytes than the announced size of 10"))))
        let tooMany = try #require(try await receiver.events(through: "error").last)
        #expect(tooMany["reason"] as? String == "too-many-bytes")

        // Announces 40 bytes, sends 20 and finishes.
        let short = Self.offer("short.bin", content + content)
        machine = FileSendingStateMachine(offer: short)
        let shortReplies = try await Self.exchange(connection, header: short.encoded(), body: content)
        #expect(try machine.receive(shortReplies).last == .trailer(.failed(FileTransferRefusal(
            .truncated, message: "the stream ended after 20 of 40 bytes"))))
        let truncated = try #require(try await receiver.events(through: "error").last)
        #expect(truncated["reason"] as? String == "truncated")

        // Neither became a file; what arrived stays as a partial.
        #expect(try scratch.received().filter { !$0.contains(".partial") } == [])
        await connection.close()
    }

    @Test func bytesThatDoNotMatchTheHashStayAsAPartial() async throws {
        let scratch = try FileTransferScratch()
        let (receiver, connection) = try await Self.connect(scratch)
        defer { receiver.process.stop() }
        let lying = Self.offer("claimed.bin", Array("the real content".utf8))
        var machine = FileSendingStateMachine(offer: lying)
        let replies = try await Self.exchange(connection, header: lying.encoded(), body: Array("other content!!!".utf8))
        guard case .trailer(.failed(let refusal)) = try machine.receive(replies).last else {
            Issue.record("not failed: \(replies)")
            return
        }
        #expect(refusal.reason == .hashMismatch)
        let error = try #require(try await receiver.events(through: "error").last)
        #expect(error["reason"] as? String == "hash-mismatch")
        #expect(error["partial"] as? String == scratch.inbox + "/claimed.bin.partial")
        #expect(try scratch.received() == ["claimed.bin.partial"])
        #expect(try FileTransferScratch.contents(scratch.inbox + "/claimed.bin.partial") == Data("other content!!!".utf8))
        await connection.close()
    }
}
