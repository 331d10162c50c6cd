#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Standard input's terminal switched to key-at-a-time input without echo (so a prompt line can
/// be edited and redrawn), and back. Output processing stays on, so `\n` still starts a new line.
///
/// Ctrl-C arrives as a key, not a signal. If the process is killed (SIGTERM, SIGHUP, SIGQUIT)
/// the terminal is restored before it exits, so the shell is never left without echo.
final class RawTerminalMode {
    private var original: termios

    /// Switches to raw mode, or returns `nil` when standard input is not a terminal.
    init?() {
        var settings = termios()
        guard tcgetattr(STDIN_FILENO, &settings) == 0 else { return nil }
        original = settings
        settings.c_lflag &= ~tcflag_t(ECHO | ICANON | ISIG | IEXTEN)
        settings.c_iflag &= ~tcflag_t(ICRNL | IXON)
        // One byte is enough to return from read(2).
        withUnsafeMutableBytes(of: &settings.c_cc) { controlCharacters in
            controlCharacters[Int(VMIN)] = 1
            controlCharacters[Int(VTIME)] = 0
        }
        terminalStateToRestore = original
        for number in Self.fatalSignals { signal(number, restoreTerminalAndExit) }
        tcsetattr(STDIN_FILENO, TCSANOW, &settings)
    }

    /// Puts the terminal back as it was. Safe to call more than once.
    func restore() {
        guard terminalStateToRestore != nil else { return }
        tcsetattr(STDIN_FILENO, TCSANOW, &original)
        terminalStateToRestore = nil
        for number in Self.fatalSignals { signal(number, SIG_DFL) }
    }

    deinit {
        restore()
    }

    private static let fatalSignals = [SIGTERM, SIGHUP, SIGQUIT]

    /// Whether the terminal understands cursor movement and line clearing (`TERM` set and not
    /// `dumb`); without it, prompts are not redrawn and menus are numbered.
    static var canRedraw: Bool {
        let term = ProcessInfo.processInfo.environment["TERM"] ?? ""
        return !term.isEmpty && term != "dumb"
    }

    /// The columns of the terminal on standard output (80 when unknown).
    static var columns: Int {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }
}

/// The settings to put back if the process is killed (or, at a password prompt, interrupted) while
/// raw mode or echo-off is on. Written only by the thread that switches modes; read by the signal handler.
nonisolated(unsafe) var terminalStateToRestore: termios?

/// Signal handler: restores the terminal from ``terminalStateToRestore``, then exits as if killed by `signal`.
func restoreTerminalAndExit(_ signal: Int32) {
    if var state = terminalStateToRestore {
        tcsetattr(STDIN_FILENO, TCSANOW, &state)
    }
    _exit(128 + signal)
}
