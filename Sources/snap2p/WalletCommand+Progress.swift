import Dispatch
import Foundation

/// A spinner on standard error while something slow runs (each scrypt derivation takes about a
/// second), drawn only when standard error is a terminal so scripts and logs stay clean.
enum ProgressSpinner {
    static func run<R>(_ message: String, _ work: () throws -> R) rethrows -> R {
        guard TerminalInput.standardErrorIsTerminal else { return try work() }
        let finished = DispatchSemaphore(value: 0)
        let cleared = DispatchSemaphore(value: 0)
        let thread = Thread {
            let frames = ["|", "/", "-", "\\"]
            var frame = 0
            while finished.wait(timeout: .now() + .milliseconds(120)) == .timedOut {
                TerminalInput.writeToStandardError("\r\(frames[frame % frames.count]) \(message)")
                frame += 1
            }
            // Erase the line so the next output starts clean.
            TerminalInput.writeToStandardError("\r\u{1B}[2K")
            cleared.signal()
        }
        thread.start()
        defer {
            finished.signal()
            cleared.wait()
        }
        return try work()
    }

    /// The message for operations that derive a key from a password.
    static let scryptMessage = "Deriving the wallet key from the password (scrypt)..."
}
