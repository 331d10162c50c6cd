import Foundation
import SNaP2P
import SNaP2PFileTransfer

/// Whom `receive` takes files from: everyone with `--yes`, the `--accept-from` principals, and
/// otherwise whoever the person at the terminal says yes to. Without a terminal there is nobody
/// to ask, so other offers are refused, and the sender is told why.
struct FileAdmission: Sendable {
    let yes: Bool
    let acceptFrom: Set<Principal>

    /// Decides one offer, asking at the terminal when needed (one question at a time).
    func decide(_ incoming: IncomingFile) async -> FileDecision {
        if yes || acceptFrom.contains(incoming.sender) { return .accept }
        guard TerminalInput.isInteractive else { return .refuse(Self.unattended(incoming.sender)) }
        let question = "Accept \(SafeFileName.printable(incoming.offer.name)) (\(TransferText.bytes(incoming.offer.size))) "
            + "from \(incoming.sender)? [y/N] "
        let answer = await TerminalQuestion.ask(question)?.trimmingCharacters(in: .whitespaces).lowercased()
        return answer == "y" || answer == "yes" ? .accept : .refuse(FileTransferRefusal(.declined, message: "the receiver declined"))
    }

    /// The refusal when nobody is at a terminal to ask.
    static func unattended(_ sender: Principal) -> FileTransferRefusal {
        FileTransferRefusal(.declined, message: "the receiver is not at a terminal to ask, and accepts files from \(sender) only with --yes or --accept-from")
    }
}

/// A yes/no question at the terminal, asked on a thread of its own (the read blocks) and one at
/// a time when several offers arrive together.
enum TerminalQuestion {
    private static let lock = NSLock()

    /// The line typed in answer, or `nil` at the end of input.
    static func ask(_ prompt: String) async -> String? {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                lock.lock()
                defer { lock.unlock() }
                continuation.resume(returning: try? TerminalInput.readVisibleLine(prompt: prompt, what: "answer", maximumBytes: 256))
            }
        }
    }
}
