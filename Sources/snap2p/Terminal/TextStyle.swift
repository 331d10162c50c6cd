#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// ANSI colours for one output: on only when that output is a terminal that understands them and
/// the user has not asked for plain text (https://no-color.org: `NO_COLOR` set to anything non-empty).
struct TextStyle: Sendable {
    /// Whether escape sequences are written at all.
    let isEnabled: Bool

    /// Standard output's style.
    static let standardOutput = TextStyle(fileDescriptor: STDOUT_FILENO)
    /// Standard error's style (errors, prompts, progress).
    static let standardError = TextStyle(fileDescriptor: STDERR_FILENO)

    init(isEnabled: Bool) {
        self.isEnabled = isEnabled
    }

    init(fileDescriptor: Int32, environment: [String: String] = ProcessInfo.processInfo.environment) {
        let noColor = environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        let dumb = environment["TERM"] == "dumb"
        self.init(isEnabled: isatty(fileDescriptor) == 1 && !noColor && !dumb)
    }

    func bold(_ text: String) -> String { wrap(text, "1", "22") }
    func dim(_ text: String) -> String { wrap(text, "2", "22") }
    func red(_ text: String) -> String { wrap(text, "31", "39") }
    func green(_ text: String) -> String { wrap(text, "32", "39") }
    func yellow(_ text: String) -> String { wrap(text, "33", "39") }
    func blue(_ text: String) -> String { wrap(text, "34", "39") }
    func magenta(_ text: String) -> String { wrap(text, "35", "39") }
    func cyan(_ text: String) -> String { wrap(text, "36", "39") }

    private func wrap(_ text: String, _ on: String, _ off: String) -> String {
        isEnabled ? "\u{1B}[\(on)m\(text)\u{1B}[\(off)m" : text
    }
}
