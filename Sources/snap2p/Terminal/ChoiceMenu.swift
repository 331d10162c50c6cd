#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A list to pick one item from at a terminal, drawn on standard error: ↑/↓ (or k/j) move, Enter
/// chooses, a digit jumps to that item, Escape goes back, Ctrl-C interrupts. On a terminal that
/// cannot draw it (TERM=dumb, or no raw mode) the items are numbered and a number is typed instead.
struct ChoiceMenu {
    let title: String
    let items: [String]
    /// Where the selection starts.
    var selected = 0

    /// What the user did.
    enum Choice: Equatable {
        case item(Int)
        /// Escape, or an empty answer in the numbered form.
        case back
        /// Ctrl-C.
        case interrupt
    }

    /// Whether the arrow-key form can be drawn: a terminal that understands cursor movement.
    static var canDraw: Bool {
        RawTerminalMode.canRedraw && isatty(STDERR_FILENO) == 1
    }

    func choose() throws -> Choice {
        if Self.canDraw, let terminal = RawTerminalMode() {
            defer { terminal.restore() }
            return drawn()
        }
        return try numbered()
    }

    // MARK: Arrow keys

    private func drawn() -> Choice {
        let style = TextStyle.standardError
        var selected = min(max(0, self.selected), items.count - 1)
        var decoder = KeyDecoder()
        var drawnLines = 0
        func draw() {
            var text = drawnLines > 0 ? "\u{1B}[\(drawnLines)A\r" : ""
            text += "\u{1B}[J" + style.bold(title) + "\n"
            for (index, item) in items.enumerated() {
                text += index == selected ? style.cyan(style.bold("❯ \(item)")) + "\n" : "  \(item)\n"
            }
            text += style.dim("↑/↓ move · Enter choose · Esc back") + "\n"
            drawnLines = items.count + 2
            TerminalInput.writeToStandardError(text)
        }
        draw()
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return .back }
            for key in decoder.keys(in: buffer[..<count]) {
                switch key {
                case .up, .character("k"):
                    selected = (selected + items.count - 1) % items.count
                case .down, .character("j"), .character(" "):
                    selected = (selected + 1) % items.count
                case .character(let digit) where digit.wholeNumberValue.map({ (1...items.count).contains($0) }) == true:
                    selected = digit.wholeNumberValue! - 1
                case .enter:
                    collapse(drawnLines, showing: items[selected], style: style)
                    return .item(selected)
                case .escape, .character("q"):
                    collapse(drawnLines, showing: nil, style: style)
                    return .back
                case .interrupt:
                    collapse(drawnLines, showing: nil, style: style)
                    return .interrupt
                default:
                    continue
                }
                draw()
            }
        }
    }

    /// Replaces the drawn menu by one line with the choice, so the screen reads like a transcript.
    private func collapse(_ lines: Int, showing choice: String?, style: TextStyle) {
        var text = "\u{1B}[\(lines)A\r\u{1B}[J"
        if let choice { text += style.bold(title) + " " + style.cyan(choice) + "\n" }
        TerminalInput.writeToStandardError(text)
    }

    // MARK: Numbers

    private func numbered() throws -> Choice {
        TerminalInput.writeToStandardError(title + "\n")
        for (index, item) in items.enumerated() {
            TerminalInput.writeToStandardError("  \(index + 1)) \(item)\n")
        }
        while true {
            let answer = try TerminalInput.readVisibleLine(
                prompt: "Choose 1-\(items.count) (Enter: back): ", what: "choice", maximumBytes: 64)
                .trimmingCharacters(in: .whitespaces)
            if answer.isEmpty { return .back }
            if let number = Int(answer), (1...items.count).contains(number) { return .item(number - 1) }
            TerminalInput.writeToStandardError("Type a number from 1 to \(items.count).\n")
        }
    }
}
