import Foundation
import Testing

/// `receive` at a terminal (a pseudo-terminal): each offer is put to the person there.
@Suite struct InteractiveReceiveTests {
    /// The sender started once the receiver shows its port.
    final class StartedSender: @unchecked Sendable {
        private let lock = NSLock()
        private var started: RunningProcess?

        var process: RunningProcess? { lock.withLock { started } }

        func start(_ arguments: [String]) {
            let process = try? RunningProcess(arguments)
            lock.withLock { started = process }
        }
    }

    @Test(arguments: [("y", Int32(0)), ("n", Int32(7))])
    func theOfferIsAcceptedOnlyWhenThePersonSaysYes(answer: String, status expected: Int32) async throws {
        let scratch = try FileTransferScratch()
        let path = try scratch.makeFile("notes.txt", count: 1000)
        let sender = StartedSender()
        let (status, screen) = try await SNaP2PExecutable.runInTerminal(
            ["receive", "0", "--host", "127.0.0.1", "--dir", scratch.inbox, "--testnet"],
            exchanges: [
                // "Waiting for files on 127.0.0.1:PORT as stacks:…": the port is on the screen.
                .init(prompt: " as stacks:", pressesEnter: false) { screen in
                    let port = String(screen.components(separatedBy: "127.0.0.1:").last?.prefix { $0.isNumber } ?? "")
                    sender.start(["send", path, "127.0.0.1:\(port)", "--testnet"])
                    return ""
                },
                .init(prompt: "[y/N] ") { _ in answer },
            ])
        #expect(status == expected, "\(screen)")
        #expect(screen.contains("Accept notes.txt (1000 B) from stacks:ST"), "\(screen)")
        let process = try #require(sender.process)
        #expect(try await process.exitStatus() == expected, "\(process.standardError)")
        if answer == "y" {
            #expect(try scratch.received() == ["notes.txt"])
            #expect(try FileTransferScratch.contents(scratch.inbox + "/notes.txt") == (try FileTransferScratch.contents(path)))
        } else {
            #expect(screen.contains("Refused notes.txt."), "\(screen)")
            #expect(process.standardError.contains("refused notes.txt (declined: the receiver declined)"), "\(process.standardError)")
            #expect(try scratch.received() == [])
        }
    }
}
