import Foundation
import SNaP2P
import SNaP2PFileTransfer
import Testing

/// The library API as an app uses it, both ends in this process over 127.0.0.1: a
/// `FileReceiver` registered as a stream protocol, and `Connection.sendFile`.
@Suite struct FileTransferEndToEndTests {
    /// What the receiver reported, in order.
    final class Events: @unchecked Sendable {
        private let lock = NSLock()
        private var recorded: [FileReceiveEvent] = []
        private var received: [ReceivedFile] = []

        func record(_ event: FileReceiveEvent) {
            lock.withLock {
                if case .received(_, let file) = event { received.append(file) }
                if case .progress = event { return }
                recorded.append(event)
            }
        }

        var names: [String] {
            lock.withLock {
                recorded.map { event in
                    switch event {
                    case .offered: "offered"
                    case .refused: "refused"
                    case .accepted: "accepted"
                    case .progress: "progress"
                    case .received: "received"
                    case .failed: "failed"
                    }
                }
            }
        }

        var files: [ReceivedFile] { lock.withLock { received } }
    }

    @Test func aRegisteredReceiverStoresWhatSendFileSendsAndRefusesWhatItDeclines() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("snap2p-e2e-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/inbox", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let content = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try content.write(to: URL(fileURLWithPath: root + "/photo.jpg"))

        let events = Events()
        var configuration = PeerConfiguration(network: .testnet)
        configuration.streamProtocols.register(FileReceiver(
            directory: ReceiveDirectory(path: root + "/inbox"),
            decide: { incoming in
                incoming.offer.name.hasSuffix(".exe") ? .refuse(FileTransferRefusal(.declined, message: "no programs")) : .accept
            },
            events: events.record))
        let receiver = Peer(configuration: configuration)
        let listener = try await receiver.listen(host: "127.0.0.1", port: 0)
        let connection = try await Peer(configuration: PeerConfiguration(network: .testnet)).dial("127.0.0.1:\(listener.port)")

        let sent = try await connection.sendFile(atPath: root + "/photo.jpg")
        #expect(sent.size == 300_000)
        #expect(sent.resumedFrom == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: root + "/inbox/photo.jpg")) == content)
        #expect(events.files.map(\.path) == [root + "/inbox/photo.jpg"])
        #expect(events.files.first?.sha256 == sent.sha256)

        do {
            _ = try await connection.sendFile(atPath: root + "/photo.jpg", as: "setup.exe")
            Issue.record("the declined file was sent")
        } catch {
            guard case .refused(let refusal) = error else { throw error }
            #expect(refusal == FileTransferRefusal(.declined, message: "no programs"))
        }
        #expect(events.names == ["offered", "accepted", "received", "offered", "refused"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/inbox") == ["photo.jpg"])
        await connection.close()
        await listener.close()
    }

    @Test func severalFilesGoInParallelOnOneConnectionAStreamEach() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("snap2p-e2e-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/inbox", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let names = (1...4).map { "part\($0).bin" }
        for (index, name) in names.enumerated() {
            let content = Data((0..<(700_000 + index)).map { UInt8(truncatingIfNeeded: $0 &* (index + 3)) })
            try content.write(to: URL(fileURLWithPath: root + "/" + name))
        }
        let events = Events()
        var configuration = PeerConfiguration(network: .testnet)
        configuration.streamProtocols.register(FileReceiver(
            directory: ReceiveDirectory(path: root + "/inbox"), decide: { _ in .accept }, events: events.record))
        let listener = try await Peer(configuration: configuration).listen(host: "127.0.0.1", port: 0)
        let connection = try await Peer(configuration: PeerConfiguration(network: .testnet)).dial("127.0.0.1:\(listener.port)")

        let sent = try await withThrowingTaskGroup(of: SentFile.self) { group in
            for name in names {
                group.addTask { try await connection.sendFile(atPath: root + "/" + name) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(sent.map(\.name)) == Set(names))
        for name in names {
            #expect(try Data(contentsOf: URL(fileURLWithPath: root + "/inbox/" + name))
                == (try Data(contentsOf: URL(fileURLWithPath: root + "/" + name))), "\(name)")
        }
        #expect(events.files.count == 4)
        await connection.close()
        await listener.close()
    }
}
