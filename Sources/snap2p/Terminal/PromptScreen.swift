#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A terminal where lines arrive while the user types: each printed line goes above the prompt,
/// then the prompt and the half-typed input are drawn again exactly as they were.
///
/// Everything that reaches standard output goes through here (one lock), so output from the
/// network and echo of key presses never interleave mid-line.
final class PromptScreen: @unchecked Sendable {
    private let lock = NSLock()
    private var editor: LineEditor
    private var isPromptVisible = false
    private let prompt: String
    private let promptColumns: Int

    /// What the keys of one chunk amount to, for the program.
    enum Input: Equatable {
        case line(String)
        case interrupt
        case endOfInput
    }

    /// `prompt` may contain colour sequences; `promptColumns` is how wide it shows.
    init(prompt: String, promptColumns: Int, maximumLineBytes: Int) {
        self.prompt = prompt
        self.promptColumns = promptColumns
        editor = LineEditor(maximumBytes: maximumLineBytes)
    }

    /// Prints `line` (and a newline) above the prompt, and redraws the prompt if it is shown.
    func printAbove(_ line: String) {
        lock.withLock {
            var output = isPromptVisible ? Self.clearLine : ""
            output += line + "\n"
            if isPromptVisible { output += renderedPrompt() }
            Self.writeToTerminal(output)
        }
    }

    /// Starts showing the prompt (and whatever is typed).
    func showPrompt() {
        lock.withLock {
            isPromptVisible = true
            Self.writeToTerminal(renderedPrompt())
        }
    }

    /// Erases the prompt line and stops drawing it (before the program prints its last lines).
    func hidePrompt() {
        lock.withLock {
            guard isPromptVisible else { return }
            isPromptVisible = false
            Self.writeToTerminal(Self.clearLine)
        }
    }

    /// Applies key presses to the line being typed and redraws it. A submitted line is erased
    /// from the prompt: the caller prints it above (in whatever form it likes) with ``printAbove(_:)``.
    func handle(_ keys: [Key]) -> [Input] {
        lock.withLock {
            var inputs: [Input] = []
            var output = ""
            for key in keys {
                switch editor.apply(key) {
                case .changed, .redraw:
                    if isPromptVisible { output += renderedPrompt() }
                case .unchanged:
                    break
                case .refused:
                    output += "\u{07}"
                case .submitted(let line):
                    if isPromptVisible { output += renderedPrompt() }
                    inputs.append(.line(line))
                case .interrupted:
                    inputs.append(.interrupt)
                case .endOfInput:
                    inputs.append(.endOfInput)
                }
            }
            if !output.isEmpty { Self.writeToTerminal(output) }
            return inputs
        }
    }

    private static let clearLine = "\r\u{1B}[2K"

    /// Carriage return, clear, prompt, the visible part of the input, cursor placed.
    private func renderedPrompt() -> String {
        let window = editor.visibleWindow(columns: max(8, RawTerminalMode.columns - promptColumns))
        var output = Self.clearLine + prompt + window.text
        let column = promptColumns + window.cursorColumn
        output += "\r"
        if column > 0 { output += "\u{1B}[\(column)C" }
        return output
    }

    private static func writeToTerminal(_ text: String) {
        TerminalWrite.write(text, to: STDOUT_FILENO)
    }
}
