#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SNaP2PFileTransfer

/// Shows one transfer's progress: on a terminal a bar with bytes, rate and ETA redrawn in place;
/// otherwise a plain line every few seconds; with `--json` a `progress` event at most ten times a
/// second. Fed from any thread (the hashing thread, the transfer task).
final class TransferProgressDisplay: @unchecked Sendable {
    enum Form {
        case json
        /// Redrawn in place on standard output (a terminal that understands escape sequences).
        case bar(TextStyle)
        /// A line now and then (a pipe, a file, a dumb terminal).
        case lines
    }

    private let form: Form
    private let lock = NSLock()
    private let clock = ContinuousClock()
    private var lastShown: ContinuousClock.Instant?
    private var phase: FileTransferProgress.Phase?
    /// When the current phase began, and at how many bytes.
    private var phaseStart: (instant: ContinuousClock.Instant, bytes: UInt64)?
    private var isBarDrawn = false
    /// Told (under the display's lock, before the first report of it is shown) when a phase begins.
    private let phaseBegan: @Sendable (FileTransferProgress) -> Void

    /// At most this often: ten JSON events or bar redraws a second; a plain line every 2 s.
    private var interval: Duration {
        if case .lines = form { return .seconds(2) }
        return .milliseconds(100)
    }

    init(json: Bool, phaseBegan: @escaping @Sendable (FileTransferProgress) -> Void = { _ in }) {
        self.phaseBegan = phaseBegan
        if json {
            form = .json
        } else if isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb" {
            form = .bar(.standardOutput)
        } else {
            form = .lines
        }
    }

    /// Takes a progress report; shows it when the last one shown is old enough.
    func update(_ progress: FileTransferProgress) {
        lock.withLock {
            let now = clock.now
            if phase != progress.phase {
                phase = progress.phase
                phaseStart = (now, progress.bytes)
                // A plain line first comes when there is a rate to show.
                if case .lines = form { lastShown = now }
                clearBar()
                phaseBegan(progress)
            }
            // The bar also shows its last state, however soon; events and lines keep their pace.
            var isFinalDraw = false
            if case .bar = form { isFinalDraw = progress.bytes == progress.size }
            if let lastShown, now - lastShown < interval, !isFinalDraw { return }
            lastShown = now
            show(progress, now: now)
        }
    }

    /// Removes the bar (before a final line takes its place).
    func clear() {
        lock.withLock { clearBar() }
    }

    private func clearBar() {
        guard isBarDrawn else { return }
        isBarDrawn = false
        TerminalWrite.write("\r\u{1B}[2K", to: STDOUT_FILENO)
    }

    private func show(_ progress: FileTransferProgress, now: ContinuousClock.Instant) {
        let rate = bytesPerSecond(progress, now: now)
        let remaining = rate > 0 ? Double(progress.size - min(progress.size, progress.bytes)) / rate : .nan
        switch form {
        case .json:
            var event = FileEvent("progress")
            event.phase = progress.phase == .hashing ? "hashing" : "transferring"
            event.name = progress.name
            event.bytes = progress.bytes
            event.size = progress.size
            event.megabytesPerSecond = rate / 1e6
            event.etaSeconds = remaining.isFinite ? remaining : nil
            event.print()
        case .bar(let style):
            let fraction = progress.size == 0 ? 1 : Double(progress.bytes) / Double(progress.size)
            let verb = progress.phase == .hashing ? "hashing" : ""
            var line = "\r\u{1B}[2K" + style.cyan(TransferText.bar(fraction: fraction, width: 24))
            line += String(format: " %3d%% ", Int(fraction * 100))
            line += "\(TransferText.bytes(progress.bytes)) / \(TransferText.bytes(progress.size))"
            line += "  " + TransferText.rate(bytesPerSecond: rate) + "  ETA " + TransferText.duration(seconds: remaining)
            if !verb.isEmpty { line += "  " + style.dim(verb) }
            TerminalWrite.write(line, to: STDOUT_FILENO)
            isBarDrawn = true
        case .lines:
            let what = progress.phase == .hashing ? "hashed" : "transferred"
            let percent = progress.size == 0 ? 100 : Int(Double(progress.bytes) / Double(progress.size) * 100)
            Swift.print("  \(what) \(TransferText.bytes(progress.bytes)) of \(TransferText.bytes(progress.size)) (\(percent)%), "
                + "\(TransferText.rate(bytesPerSecond: rate)), ETA \(TransferText.duration(seconds: remaining))")
            fflush(nil)
        }
    }

    /// The rate since this phase began.
    private func bytesPerSecond(_ progress: FileTransferProgress, now: ContinuousClock.Instant) -> Double {
        guard let phaseStart else { return 0 }
        let elapsed = PeerEventOutput.milliseconds(now - phaseStart.instant) / 1000
        guard elapsed > 0 else { return 0 }
        return Double(progress.bytes - min(progress.bytes, phaseStart.bytes)) / elapsed
    }
}
