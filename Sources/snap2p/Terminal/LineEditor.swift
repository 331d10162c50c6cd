/// The line being typed at a raw-mode prompt: what keys do to it and which part of it fits on
/// the screen. Pure, so the editing rules are tested without a terminal.
struct LineEditor {
    /// The characters typed so far.
    private(set) var characters: [Character] = []
    /// The insertion point, `0...characters.count`.
    private(set) var cursor = 0
    /// The longest line accepted, in UTF-8 bytes; further typing is refused.
    let maximumBytes: Int
    private var byteCount = 0

    /// What a key did.
    enum Outcome: Equatable {
        /// The line or the cursor changed: redraw it.
        case changed
        /// Nothing to do (a key without meaning here).
        case unchanged
        /// The key was refused (line full, nothing to erase): ring the bell.
        case refused
        /// Enter: the finished line; the editor is empty again.
        case submitted(String)
        /// Ctrl-C.
        case interrupted
        /// Ctrl-D on an empty line.
        case endOfInput
        /// Ctrl-L: redraw everything.
        case redraw
    }

    init(maximumBytes: Int) {
        self.maximumBytes = maximumBytes
    }

    /// The line as text.
    var text: String { String(characters) }

    mutating func apply(_ key: Key) -> Outcome {
        switch key {
        case .character(let character):
            let size = character.utf8.count
            guard byteCount + size <= maximumBytes else { return .refused }
            characters.insert(character, at: cursor)
            cursor += 1
            byteCount += size
            return .changed
        case .enter:
            let line = text
            characters.removeAll()
            cursor = 0
            byteCount = 0
            return .submitted(line)
        case .backspace:
            guard cursor > 0 else { return .refused }
            cursor -= 1
            byteCount -= characters.remove(at: cursor).utf8.count
            return .changed
        case .delete:
            guard cursor < characters.count else { return .refused }
            byteCount -= characters.remove(at: cursor).utf8.count
            return .changed
        case .eraseLine:
            guard cursor > 0 else { return .unchanged }
            erase(0..<cursor)
            return .changed
        case .eraseWord:
            guard cursor > 0 else { return .unchanged }
            var start = cursor
            while start > 0 && characters[start - 1].isWhitespace { start -= 1 }
            while start > 0 && !characters[start - 1].isWhitespace { start -= 1 }
            erase(start..<cursor)
            return .changed
        case .left:
            guard cursor > 0 else { return .unchanged }
            cursor -= 1
            return .changed
        case .right:
            guard cursor < characters.count else { return .unchanged }
            cursor += 1
            return .changed
        case .home:
            cursor = 0
            return .changed
        case .end:
            cursor = characters.count
            return .changed
        case .interrupt:
            return .interrupted
        case .endOfInput:
            if characters.isEmpty { return .endOfInput }
            return apply(.delete)
        case .redraw:
            return .redraw
        case .escape, .up, .down:
            return .unchanged
        }
    }

    private mutating func erase(_ range: Range<Int>) {
        byteCount -= characters[range].reduce(0) { $0 + $1.utf8.count }
        characters.removeSubrange(range)
        cursor = range.lowerBound
    }

    /// The part of the line to draw in `columns` screen columns (scrolled so the cursor is
    /// visible, never touching the last column, which would wrap) and the cursor's column in it.
    func visibleWindow(columns: Int) -> (text: String, cursorColumn: Int) {
        let room = max(1, columns - 1)
        let widths = characters.map(TerminalWidth.columns)
        var start = 0
        var beforeCursor = widths[..<cursor].reduce(0, +)
        while beforeCursor > room - 1 && start < cursor {
            beforeCursor -= widths[start]
            start += 1
        }
        var end = cursor
        var used = beforeCursor
        while end < characters.count && used + widths[end] <= room {
            used += widths[end]
            end += 1
        }
        return (String(characters[start..<end]), beforeCursor)
    }
}

/// How many terminal columns text takes: two for East Asian wide characters and emoji, none for
/// combining marks, one otherwise. An approximation of `wcwidth`, enough to keep a prompt line
/// from wrapping.
enum TerminalWidth {
    static func columns(_ character: Character) -> Int {
        guard let scalar = character.unicodeScalars.first else { return 0 }
        if scalar.properties.generalCategory == .nonspacingMark { return 0 }
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
             0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return 2
        default:
            return 1
        }
    }

    static func columns(_ text: String) -> Int {
        text.reduce(0) { $0 + columns($1) }
    }
}
