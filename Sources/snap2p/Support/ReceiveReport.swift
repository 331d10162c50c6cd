import Foundation
import SNaP2P
import SNaP2PFileTransfer
import SNaP2PWire

/// How `receive` shows one transfer: a sentence per step (and a progress bar) for people, one
/// JSON event per step for scripts. Every name from the sender is printed with control
/// characters replaced.
final class ReceiveReport: @unchecked Sendable {
    private let json: Bool
    private let sender: String
    private let display: TransferProgressDisplay
    private let lock = NSLock()
    private var started: ContinuousClock.Instant?

    init(json: Bool, sender: Principal) {
        self.json = json
        self.sender = sender.description
        self.display = TransferProgressDisplay(json: json)
    }

    func show(_ event: FileReceiveEvent) {
        switch event {
        case .offered(let incoming): offered(incoming)
        case .refused(let incoming, let refusal): refused(incoming, refusal)
        case .accepted(let incoming, let partial, let resumedFrom): accepted(incoming, partial: partial, resumedFrom: resumedFrom)
        case .progress(_, let progress): display.update(progress)
        case .received(let incoming, let file): received(incoming, file)
        case .failed(let incoming, let error, let partial): failed(incoming, error, partial: partial)
        }
    }

    private func offered(_ incoming: IncomingFile) {
        let offer = incoming.offer
        if json {
            var event = FileEvent("offer")
            event.principal = sender
            event.name = offer.name
            event.safeName = incoming.safeName
            event.size = offer.size
            event.sha256 = Hex.encode(offer.sha256)
            event.print()
            return
        }
        let name = SafeFileName.printable(offer.name)
        var text = "\(sender) offers \(name) (\(TransferText.bytes(offer.size)))"
        if incoming.safeName != offer.name { text += ", to be saved as \(incoming.safeName)" }
        emit(text)
    }

    /// Declined by the user at the terminal: a line. Declined for want of a terminal: an error
    /// with the options that would have admitted the sender. Refused because the file cannot be
    /// stored: an error saying why. Errors go to standard error also with `--json`.
    private func refused(_ incoming: IncomingFile, _ refusal: FileTransferRefusal) {
        let name = SafeFileName.printable(incoming.offer.name)
        let byPerson = refusal.reason == .declined && TerminalInput.isInteractive
        if json {
            var event = FileEvent("refused")
            event.principal = sender
            event.name = incoming.offer.name
            event.reason = refusal.reason.rawValue
            event.error = refusal.message
            event.print()
        } else if byPerson {
            emit("Refused \(name).")
        }
        if byPerson { return }
        if refusal.reason == .declined {
            CommandFailure(
                "refused \(name) from \(sender): nobody is at a terminal to ask",
                hint: "to take files without asking, run with --yes, or with --accept-from \(sender)"
            ).report()
        } else {
            CommandFailure("refused \(name) from \(sender): \(SafeFileName.printable(refusal.description))").report()
        }
    }

    private func accepted(_ incoming: IncomingFile, partial: String, resumedFrom: UInt64) {
        lock.withLock { started = ContinuousClock.now }
        if json {
            var event = FileEvent("accepted")
            event.principal = sender
            event.name = incoming.offer.name
            event.partial = partial
            event.size = incoming.offer.size
            event.resumedFrom = resumedFrom
            event.print()
            return
        }
        var text = "Receiving \(incoming.safeName) into \(partial)"
        if resumedFrom > 0 { text += ", resuming at \(TransferText.bytes(resumedFrom)) of \(TransferText.bytes(incoming.offer.size))" }
        emit(text)
    }

    private func received(_ incoming: IncomingFile, _ file: ReceivedFile) {
        display.clear()
        let seconds = lock.withLock { started.map { PeerEventOutput.milliseconds(ContinuousClock.now - $0) / 1000 } } ?? 0
        let rate = seconds > 0 ? Double(file.size - file.resumedFrom) / seconds : 0
        if json {
            var event = FileEvent("done")
            event.principal = sender
            event.name = incoming.offer.name
            event.path = file.path
            event.bytes = file.size
            event.resumedFrom = file.resumedFrom
            event.seconds = seconds
            event.megabytesPerSecond = rate / 1e6
            event.sha256 = Hex.encode(file.sha256)
            event.print()
            return
        }
        emit(TextStyle.standardOutput.green("Received ") + "\(file.path) (\(TransferText.bytes(file.size))) in "
            + String(format: "%.2f s", seconds) + " (\(TransferText.rate(bytesPerSecond: rate))); SHA-256 verified \(Hex.encode(file.sha256))")
    }

    private func failed(_ incoming: IncomingFile?, _ error: FileTransferError, partial: String?) {
        display.clear()
        var explained = FileTransferFailure(error, name: incoming?.offer.name ?? "a file", remote: sender)
        if case .session = error, let partial {
            explained.failure.message = "the transfer of \(incoming.map { SafeFileName.printable($0.offer.name) } ?? "a file") was cut off: "
                + explained.failure.message
            explained.failure.hint = "what arrived is kept in \(partial); when \(sender) sends the same file again, it resumes from there"
        }
        _ = explained.exit(json: json, name: incoming?.offer.name, partial: partial)
    }

    private func emit(_ text: String) {
        print(text)
        fflush(nil)
    }
}
