import Testing
@testable import snap2p

/// The pure pieces behind the chat prompt: key decoding, line editing, line splitting.
@Suite struct KeyDecoderTests {
    @Test func controlKeysAndText() {
        var decoder = KeyDecoder()
        #expect(decoder.keys(in: Array("hi\r".utf8)) == [.character("h"), .character("i"), .enter])
        #expect(decoder.keys(in: [0x7F, 0x08, 0x15, 0x17, 0x03, 0x04, 0x0C, 0x09]) == [
            .backspace, .backspace, .eraseLine, .eraseWord, .interrupt, .endOfInput, .redraw, .character(" "),
        ])
    }

    @Test func escapeSequencesAreSwallowedWhole() {
        var decoder = KeyDecoder()
        #expect(decoder.keys(in: Array("\u{1B}[A\u{1B}[B\u{1B}[C\u{1B}[D\u{1B}OH\u{1B}[3~".utf8)) == [
            .up, .down, .right, .left, .home, .delete,
        ])
        // Unknown sequences (F5, bracketed paste markers) insert nothing.
        #expect(decoder.keys(in: Array("\u{1B}[15~\u{1B}[200~x\u{1B}[201~".utf8)) == [.character("x")])
        // A sequence split across reads still decodes.
        #expect(decoder.keys(in: Array("\u{1B}[".utf8)) == [])
        #expect(decoder.keys(in: Array("A".utf8)) == [.up])
    }

    @Test func aLoneEscapeAtTheEndOfAReadIsTheEscapeKey() {
        var decoder = KeyDecoder()
        #expect(decoder.keys(in: [0x1B]) == [.escape])
        #expect(decoder.keys(in: Array("a".utf8)) == [.character("a")])
    }

    @Test func utf8CharactersSplitAcrossReads() {
        var decoder = KeyDecoder()
        let bytes = Array("é日✓".utf8)
        var keys: [Key] = []
        for byte in bytes { keys += decoder.keys(in: [byte]) }
        #expect(keys == [.character("é"), .character("日"), .character("✓")])
        // A cut-short character is dropped and the next byte read afresh.
        #expect(decoder.keys(in: [0xE6, 0x97, 0x41]) == [.character("A")])
        #expect(decoder.keys(in: [0x80, 0x42]) == [.character("B")])
    }
}

@Suite struct LineEditorTests {
    static func typed(_ text: String, into editor: inout LineEditor) {
        for character in text { _ = editor.apply(.character(character)) }
    }

    @Test func typingBackspaceAndEnter() {
        var editor = LineEditor(maximumBytes: 100)
        Self.typed("helo", into: &editor)
        #expect(editor.apply(.backspace) == .changed)
        Self.typed("lo", into: &editor)
        #expect(editor.apply(.enter) == .submitted("hello"))
        #expect(editor.text.isEmpty)
        #expect(editor.apply(.backspace) == .refused)
    }

    @Test func eraseLineAndWord() {
        var editor = LineEditor(maximumBytes: 100)
        Self.typed("one two  three", into: &editor)
        #expect(editor.apply(.eraseWord) == .changed)
        #expect(editor.text == "one two  ")
        #expect(editor.apply(.eraseWord) == .changed)
        #expect(editor.text == "one ")
        #expect(editor.apply(.eraseLine) == .changed)
        #expect(editor.text.isEmpty)
        #expect(editor.apply(.eraseLine) == .unchanged)
    }

    @Test func cursorMovesAndInsertsInTheMiddle() {
        var editor = LineEditor(maximumBytes: 100)
        Self.typed("ac", into: &editor)
        _ = editor.apply(.left)
        Self.typed("b", into: &editor)
        #expect(editor.text == "abc")
        #expect(editor.cursor == 2)
        _ = editor.apply(.home)
        #expect(editor.apply(.delete) == .changed)
        #expect(editor.text == "bc")
        _ = editor.apply(.end)
        #expect(editor.cursor == 2)
        // Ctrl-U erases what is before the cursor only.
        _ = editor.apply(.left)
        _ = editor.apply(.eraseLine)
        #expect(editor.text == "c")
    }

    @Test func ctrlDLeavesOnlyOnAnEmptyLine() {
        var editor = LineEditor(maximumBytes: 100)
        #expect(editor.apply(.endOfInput) == .endOfInput)
        Self.typed("x", into: &editor)
        #expect(editor.apply(.endOfInput) == .refused)
        #expect(editor.apply(.interrupt) == .interrupted)
    }

    @Test func theLineIsLimitedInBytes() {
        var editor = LineEditor(maximumBytes: 5)
        Self.typed("日", into: &editor)
        #expect(editor.apply(.character("a")) == .changed)
        #expect(editor.apply(.character("日")) == .refused)
        #expect(editor.apply(.character("b")) == .changed)
        #expect(editor.apply(.character("c")) == .refused)
        #expect(editor.text == "日ab")
    }

    @Test func theVisibleWindowFollowsTheCursor() {
        var editor = LineEditor(maximumBytes: 1000)
        Self.typed(String(repeating: "x", count: 30) + "END", into: &editor)
        let end = editor.visibleWindow(columns: 11)
        #expect(end.text.hasSuffix("END"))
        #expect(end.cursorColumn <= 9)
        #expect(TerminalWidth.columns(end.text) <= 10)
        _ = editor.apply(.home)
        let start = editor.visibleWindow(columns: 11)
        #expect(start.cursorColumn == 0)
        #expect(start.text == String(repeating: "x", count: 10))
        // Wide characters count double.
        var wide = LineEditor(maximumBytes: 1000)
        Self.typed("日本語", into: &wide)
        #expect(wide.visibleWindow(columns: 80).cursorColumn == 6)
    }
}

@Suite struct ChatLineSplitterTests {
    @Test func splitsLinesAcrossChunks() {
        var splitter = ChatLineSplitter()
        #expect(splitter.lines(appending: Array("hel".utf8)).isEmpty)
        #expect(splitter.lines(appending: Array("lo\nsecond\r\nthi".utf8)) == ["hello", "second"])
        #expect(splitter.lines(appending: Array("\n\n".utf8)) == ["thi", ""])
        #expect(splitter.remainder() == nil)
        _ = splitter.lines(appending: Array("no newline".utf8))
        #expect(splitter.remainder() == "no newline")
    }

    @Test func longLinesAreCut() {
        var splitter = ChatLineSplitter(maximumLineBytes: 4)
        #expect(splitter.lines(appending: Array("abcdefghij\n".utf8)) == ["abcd", "efgh", "ij"])
    }

    @Test func encodingEndsWithNewline() {
        #expect(ChatLineSplitter.encode("hé") == Array("hé\n".utf8))
    }

    @Test func controlCharactersCannotReachTheTerminal() {
        #expect("a\u{1B}[2Jb\u{07}\tc".withoutControlCharacters == "a\u{FFFD}[2Jb\u{FFFD} c")
        #expect("evil\u{202E}txt.exe".withoutControlCharacters == "evil\u{FFFD}txt.exe")
        #expect("héllo 日本".withoutControlCharacters == "héllo 日本")
    }
}
