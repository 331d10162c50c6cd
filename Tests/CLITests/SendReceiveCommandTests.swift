import Foundation
import Testing

/// `snap2p send` and `snap2p receive` as separate processes on 127.0.0.1.
@Suite struct SendReceiveCommandTests {
    @Test func filesOfEverySizeArriveByteIdentical() async throws {
        let scratch = try FileTransferScratch()
        let receiver = try await RunningReceiver.start(into: scratch.inbox, ["--yes", "--keep"])
        defer { receiver.process.stop() }
        let sizes = [0, 1, 65535, 65536, 65537, 3 << 20 | 17]
        for (index, size) in sizes.enumerated() {
            let path = try scratch.makeFile("file-\(size).bin", count: size, seed: UInt64(index + 1))
            let result = try await SNaP2PExecutable.run(["send", path, receiver.address, "--testnet", "--json"])
            #expect(result.status == 0, "\(size): \(result.standardError)")
            let events = try jsonEvents(result)
            #expect(events.first?["event"] as? String == "connected")
            #expect(events.first?["principal"] as? String == receiver.principal)
            let done = try #require(events.last)
            #expect(done["event"] as? String == "done")
            #expect(done["bytes"] as? Int == size)
            #expect(done["resumed_from"] as? Int == 0)
            #expect(done["seconds"] is Double)
            #expect(done["sha256"] as? String == (try FileTransferScratch.sha256(path)))

            let received = try await receiver.events(through: "done")
            let offer = try #require(received.first { $0["event"] as? String == "offer" })
            #expect(offer["name"] as? String == "file-\(size).bin")
            #expect(offer["size"] as? Int == size)
            let stored = try #require(received.last?["path"] as? String)
            #expect(stored == scratch.inbox + "/file-\(size).bin")
            #expect(try FileTransferScratch.contents(stored) == (try FileTransferScratch.contents(path)), "\(size)")
        }
        // Only the files: no partial or record is left behind.
        #expect(try scratch.received() == sizes.map { "file-\($0).bin" }.sorted())
    }

    @Test func oneShotReceiverExitsAfterTheSenderInTextForm() async throws {
        let scratch = try FileTransferScratch()
        let process = try RunningProcess(["receive", "0", "--host", "127.0.0.1", "--dir", scratch.inbox, "--testnet", "--yes"])
        let ready = try await process.nextLine()
        #expect(ready.hasPrefix("Waiting for files on 127.0.0.1:"), "\(ready)")
        let port = try #require(ready.split(separator: " ")[4].split(separator: ":").last.flatMap { Int($0) })
        let path = try scratch.makeFile("notes.txt", count: 1000)
        let sent = try await SNaP2PExecutable.run(["send", path, "127.0.0.1:\(port)", "--testnet"], environment: ["NO_COLOR": "1"])
        #expect(sent.status == 0, "\(sent.standardError)")
        #expect(sent.standardOutput.contains("Sending notes.txt (1000 B) to stacks:ST"), "\(sent.standardOutput)")
        #expect(sent.lines.last?.hasPrefix("Sent notes.txt (1000 B) in ") == true, "\(sent.standardOutput)")
        #expect(sent.lines.last?.hasSuffix("verified SHA-256 \(try FileTransferScratch.sha256(path))") == true)
        #expect(!sent.standardOutput.contains("\u{1B}"))
        #expect(try await process.exitStatus() == 0, "\(process.standardError)")
        let text = process.lines.joined(separator: "\n")
        #expect(text.contains("offers notes.txt (1000 B)"), "\(text)")
        #expect(text.contains("Received \(scratch.inbox)/notes.txt (1000 B)"), "\(text)")
        #expect(try scratch.received() == ["notes.txt"])
    }

    @Test func severalFilesGoInOneSessionOneStreamEach() async throws {
        let scratch = try FileTransferScratch()
        let receiver = try await RunningReceiver.start(into: scratch.inbox, ["--yes"])
        defer { receiver.process.stop() }
        let paths = try (1...3).map { try scratch.makeFile("part\($0).bin", count: 100_000 * $0, seed: UInt64($0)) }
        let result = try await SNaP2PExecutable.run(["send"] + paths + [receiver.address, "--testnet", "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        let events = try jsonEvents(result)
        #expect(events.filter { $0["event"] as? String == "connected" }.count == 1)
        #expect(events.filter { $0["event"] as? String == "done" }.compactMap { $0["name"] as? String } == ["part1.bin", "part2.bin", "part3.bin"])
        // The one-shot receiver took all three from the one session, then ended.
        #expect(try await receiver.process.exitStatus() == 0, "\(receiver.process.standardError)")
        #expect(receiver.process.lines.count { $0.contains(#""event":"done""#) } == 3)
        for path in paths {
            let stored = scratch.inbox + "/" + (path as NSString).lastPathComponent
            #expect(try FileTransferScratch.contents(stored) == (try FileTransferScratch.contents(path)))
        }
    }

    @Test func withoutATerminalAnOfferIsRefusedAndNothingIsLeft() async throws {
        let scratch = try FileTransferScratch()
        let receiver = try await RunningReceiver.start(into: scratch.inbox, [])
        defer { receiver.process.stop() }
        let path = try scratch.makeFile("unwanted.bin", count: 4096)
        let result = try await SNaP2PExecutable.run(["send", path, receiver.address, "--testnet", "--json"])
        #expect(result.status == 7, "\(result.standardError)")
        let error = try #require(try jsonEvents(result).last)
        #expect(error["event"] as? String == "error")
        #expect(error["reason"] as? String == "declined")
        #expect((error["error"] as? String)?.contains("not at a terminal") == true, "\(error)")
        #expect(result.standardError.contains("hint: ask the receiver to accept it"), "\(result.standardError)")

        let refused = try #require(try await receiver.events(through: "refused").last)
        #expect(refused["reason"] as? String == "declined")
        #expect(refused["name"] as? String == "unwanted.bin")
        #expect(try await receiver.process.exitStatus() == 7)
        #expect(receiver.process.standardError.contains("hint: to take files without asking, run with --yes, or with --accept-from stacks:ST"))
        #expect(try scratch.received() == [])
    }

    @Test func anInterruptedSendResumesFromThePartialAndEndsIdentical() async throws {
        let scratch = try FileTransferScratch()
        let wallet = try await scratch.storedWallet()
        let path = try scratch.makeFile("big.bin", count: 96 << 20)
        let first = try await RunningReceiver.start(into: scratch.inbox, ["--accept-from", wallet.principal])
        defer { first.process.stop() }
        let sender = try RunningProcess(
            ["send", path, first.address, "--testnet", "--json"] + wallet.arguments, environment: wallet.environment)
        defer { sender.stop() }
        // Kill the sender once part of the file has arrived.
        while true {
            let event = try await first.process.nextEvent()
            #expect(event["event"] as? String != "done", "the transfer ended before it could be interrupted")
            if event["event"] as? String == "progress", let bytes = event["bytes"] as? Int, bytes >= 4 << 20 { break }
        }
        sender.send(SIGKILL)
        let cut = try #require(try await first.events(through: "error").last)
        #expect(cut["partial"] as? String == scratch.inbox + "/big.bin.partial")
        #expect(try await first.process.exitStatus() == 5)
        #expect(first.process.standardError.contains("hint: what arrived is kept in"), "\(first.process.standardError)")
        let kept = try FileManager.default.attributesOfItem(atPath: scratch.inbox + "/big.bin.partial")[.size] as? Int ?? 0
        #expect(kept >= 4 << 20 && kept < 96 << 20)
        #expect(try scratch.received() == ["big.bin.partial", "big.bin.partial.meta"])

        let second = try await RunningReceiver.start(into: scratch.inbox, ["--accept-from", wallet.principal])
        defer { second.process.stop() }
        let result = try await SNaP2PExecutable.run(
            ["send", path, second.address, "--testnet", "--json"] + wallet.arguments, environment: wallet.environment)
        #expect(result.status == 0, "\(result.standardError)")
        let events = try jsonEvents(result)
        let done = try #require(events.last)
        #expect(done["resumed_from"] as? Int == kept)
        #expect(events.first { $0["event"] as? String == "accepted" }?["resumed_from"] as? Int == kept)
        // Progress events come at most ten times a second.
        let seconds = try #require(done["seconds"] as? Double)
        #expect(Double(events.count { $0["event"] as? String == "progress" }) <= seconds * 10 + 1)
        let accepted = try #require(try await second.events(through: "done").first { $0["event"] as? String == "accepted" })
        #expect(accepted["resumed_from"] as? Int == kept)
        #expect(try await second.process.exitStatus() == 0)
        #expect(try scratch.received() == ["big.bin"])
        #expect(try FileTransferScratch.contents(scratch.inbox + "/big.bin") == (try FileTransferScratch.contents(path)))
    }

    @Test func aCorruptPartialFailsTheHashAndIsKept() async throws {
        let scratch = try FileTransferScratch()
        let wallet = try await scratch.storedWallet()
        let path = try scratch.makeFile("doc.bin", count: 200_000)
        // A partial recorded for this very file and sender, whose bytes are wrong.
        let record = """
            {"name":"doc.bin","sender":"\(wallet.principal)","sha256":"\(try FileTransferScratch.sha256(path))","size":200000}
            """
        try Data(record.utf8).write(to: URL(fileURLWithPath: scratch.inbox + "/doc.bin.partial.meta"))
        try Data(repeating: 0xee, count: 50_000).write(to: URL(fileURLWithPath: scratch.inbox + "/doc.bin.partial"))

        let receiver = try await RunningReceiver.start(into: scratch.inbox, ["--yes"])
        defer { receiver.process.stop() }
        let result = try await SNaP2PExecutable.run(
            ["send", path, receiver.address, "--testnet", "--json"] + wallet.arguments, environment: wallet.environment)
        #expect(result.status == 8, "\(result.standardError)")
        #expect(try jsonEvents(result).last?["reason"] as? String == "hash-mismatch")
        let error = try #require(try await receiver.events(through: "error").last)
        #expect(error["reason"] as? String == "hash-mismatch")
        #expect(error["partial"] as? String == scratch.inbox + "/doc.bin.partial")
        #expect(try await receiver.process.exitStatus() == 8)
        // The partial stays for inspection; its record goes, so it is never resumed again.
        #expect(try scratch.received() == ["doc.bin.partial"])
    }

    @Test func sendExplainsWhatIsMissing() async throws {
        let missing = try await SNaP2PExecutable.run(["send", "/nonexistent/file", "127.0.0.1:9"])
        #expect(missing.status == 1)
        #expect(missing.standardError.contains("error: no file at /nonexistent/file"))

        let scratch = try FileTransferScratch()
        let path = try scratch.makeFile("a.bin", count: 10)
        let refusing = try RefusingPort()
        let nobody = try await SNaP2PExecutable.run(["send", path, "127.0.0.1:\(refusing.port)"])
        #expect(nobody.status == 2)
        #expect(nobody.standardError.contains("receive \(refusing.port)"), "\(nobody.standardError)")

        let usage = try await SNaP2PExecutable.run(["send", path, "no-port"])
        #expect(usage.status == 64)
        let noTarget = try await SNaP2PExecutable.run(["send", path])
        #expect(noTarget.status == 64)
        #expect(noTarget.standardError.contains("give the FILE(s) to send, then HOST:PORT"), "\(noTarget.standardError)")
    }
}
