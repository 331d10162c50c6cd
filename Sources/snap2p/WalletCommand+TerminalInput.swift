#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SNaP2PIdentity

/// Reads seed phrases, passwords and answers from standard input: without echo when it is a terminal,
/// as plain bytes from a pipe (scripts). Prompts go to standard error so standard output stays
/// parseable.
enum TerminalInput {
    /// Why input could not be read.
    enum Failure: Error, CustomStringConvertible {
        /// More than `maximumBytes` arrived.
        case tooLong(maximumBytes: Int)
        /// Standard input ended before anything was read.
        case endOfInput(what: String)
        /// `read(2)` failed.
        case readFailed(errno: Int32)

        var description: String {
            switch self {
            case .tooLong(let maximumBytes): "input is longer than \(maximumBytes) bytes"
            case .endOfInput(let what): "standard input ended before the \(what) was read"
            case .readFailed(let code): "cannot read standard input: \(String(cString: strerror(code)))"
            }
        }
    }

    /// Whether standard input is a terminal (interactive use) rather than a pipe or file.
    static var isInteractive: Bool { isatty(STDIN_FILENO) == 1 }

    /// Whether standard error is a terminal (where prompts and progress can be drawn).
    static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Writes to standard error without a newline (prompts, progress).
    static func writeToStandardError(_ text: String) {
        TerminalWrite.write(text, to: STDERR_FILENO)
    }

    /// On a terminal: prompts and reads one line with echo off. From a pipe: reads one line.
    static func readSecretLine(prompt: String, what: String, maximumBytes: Int) throws(Failure) -> String {
        guard isInteractive else { return try readLine(what: what, maximumBytes: maximumBytes) }
        // Echo goes off (discarding anything typed ahead) before the prompt invites typing.
        let line = try withEchoDisabled { () throws(Failure) -> String in
            writeToStandardError(prompt)
            return try readLine(what: what, maximumBytes: maximumBytes)
        }
        writeToStandardError("\n")
        return line
    }

    /// On a terminal: prompts and reads one visible line. From a pipe: reads one line.
    static func readVisibleLine(prompt: String, what: String, maximumBytes: Int) throws(Failure) -> String {
        if isInteractive { writeToStandardError(prompt) }
        return try readLine(what: what, maximumBytes: maximumBytes)
    }

    /// Reads everything up to end of input (a phrase piped in by a script, possibly over several lines).
    static func readToEnd(what: String, maximumBytes: Int) throws(Failure) -> String {
        var bytes: [UInt8] = []
        defer { secureZero(&bytes) }
        var chunk = [UInt8](repeating: 0, count: 1024)
        defer { secureZero(&chunk) }
        while true {
            let count = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .readFailed(errno: errno)
            }
            if count == 0 { break }
            guard bytes.count + count <= maximumBytes else { throw .tooLong(maximumBytes: maximumBytes) }
            bytes.append(contentsOf: chunk[..<count])
        }
        guard !bytes.isEmpty else { throw .endOfInput(what: what) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads and validates a seed phrase: a hidden line on a terminal, all of standard input from a
    /// pipe (so a phrase may span lines).
    static func readMnemonic() throws -> Mnemonic {
        let text: String
        if isInteractive {
            text = try readSecretLine(prompt: "Seed phrase (input hidden): ", what: "seed phrase", maximumBytes: Mnemonic.maximumPhraseBytes)
        } else {
            text = try readToEnd(what: "seed phrase", maximumBytes: Mnemonic.maximumPhraseBytes)
        }
        return try Mnemonic(phrase: text)
    }

    /// Reads up to a newline (not included) one byte at a time, so nothing past the line is consumed
    /// from a pipe that later reads will need.
    private static func readLine(what: String, maximumBytes: Int) throws(Failure) -> String {
        var bytes: [UInt8] = []
        defer { secureZero(&bytes) }
        var byte: UInt8 = 0
        while true {
            let count = read(STDIN_FILENO, &byte, 1)
            if count < 0 {
                if errno == EINTR { continue }
                throw .readFailed(errno: errno)
            }
            if count == 0 {
                guard !bytes.isEmpty else { throw .endOfInput(what: what) }
                break
            }
            if byte == UInt8(ascii: "\n") { break }
            guard bytes.count < maximumBytes else { throw .tooLong(maximumBytes: maximumBytes) }
            bytes.append(byte)
        }
        byte = 0
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Runs `body` with terminal echo off, restoring the terminal afterwards, and also on Ctrl-C
    /// (which would otherwise leave the shell without echo).
    private static func withEchoDisabled<R>(_ body: () throws(Failure) -> R) throws(Failure) -> R {
        var original = termios()
        guard tcgetattr(STDIN_FILENO, &original) == 0 else { return try body() }
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        terminalStateToRestore = original
        let previousHandler = signal(SIGINT, restoreTerminalAndExit)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSANOW, &original)
            signal(SIGINT, previousHandler)
            terminalStateToRestore = nil
        }
        return try body()
    }
}
