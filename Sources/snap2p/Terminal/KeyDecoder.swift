/// A key press as a raw-mode terminal reports it.
enum Key: Hashable, Sendable {
    /// A printable character (tab arrives as a space).
    case character(Character)
    /// Return or Enter.
    case enter
    /// Backspace (DEL or Ctrl-H).
    case backspace
    /// Ctrl-U: erase the whole line.
    case eraseLine
    /// Ctrl-W: erase the word before the cursor.
    case eraseWord
    /// Ctrl-C.
    case interrupt
    /// Ctrl-D.
    case endOfInput
    /// Ctrl-L: redraw the screen.
    case redraw
    /// A lone Escape.
    case escape
    case up, down, left, right, home, end, delete
}

/// Turns the bytes a raw-mode terminal sends into ``Key``s: UTF-8 characters, control keys and
/// escape sequences (which are swallowed whole, so an unknown one never inserts garbage).
///
/// Terminals write one key (or one paste) per `read`, so an Escape alone at the end of a chunk is
/// the Escape key, while one followed by `[` or `O` starts a sequence.
struct KeyDecoder {
    private enum State {
        case ground
        case escape
        /// `ESC [` or `ESC O` and the parameter bytes so far.
        case sequence(introducer: UInt8, parameters: [UInt8])
    }

    private var state = State.ground
    /// The bytes of a UTF-8 character still missing its continuation bytes.
    private var partialCharacter: [UInt8] = []

    /// The longest escape sequence accepted before it is dropped (a guard against a stuck state).
    private static let maximumSequenceBytes = 16

    /// The keys in one chunk read from the terminal.
    mutating func keys(in chunk: some Sequence<UInt8>) -> [Key] {
        var keys: [Key] = []
        for byte in chunk { feed(byte, into: &keys) }
        if case .escape = state {
            state = .ground
            keys.append(.escape)
        }
        return keys
    }

    private mutating func feed(_ byte: UInt8, into keys: inout [Key]) {
        switch state {
        case .escape:
            if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "O") {
                state = .sequence(introducer: byte, parameters: [])
            } else {
                // Alt+key: the key alone.
                state = .ground
                feed(byte, into: &keys)
            }
        case .sequence(let introducer, var parameters):
            // Parameter and intermediate bytes are 0x20-0x3F; the final byte ends the sequence.
            if (0x20...0x3F).contains(byte) && parameters.count < Self.maximumSequenceBytes {
                parameters.append(byte)
                state = .sequence(introducer: introducer, parameters: parameters)
            } else {
                state = .ground
                if let key = Self.sequenceKey(final: byte, parameters: parameters) { keys.append(key) }
            }
        case .ground:
            if !partialCharacter.isEmpty || byte >= 0x80 {
                feedUTF8(byte, into: &keys)
            } else if let key = Self.controlKey(byte) {
                keys.append(key)
            } else if byte == 0x1B {
                state = .escape
            } else if byte >= 0x20 && byte < 0x7F {
                keys.append(.character(Character(Unicode.Scalar(byte))))
            }
        }
    }

    private mutating func feedUTF8(_ byte: UInt8, into keys: inout [Key]) {
        if partialCharacter.isEmpty {
            guard Self.sequenceLength(lead: byte) > 1 else { return }  // a stray continuation byte
            partialCharacter = [byte]
            return
        }
        guard byte & 0xC0 == 0x80 else {
            // The character was cut short: drop it and read this byte afresh.
            partialCharacter.removeAll()
            feed(byte, into: &keys)
            return
        }
        partialCharacter.append(byte)
        guard partialCharacter.count == Self.sequenceLength(lead: partialCharacter[0]) else { return }
        let text = String(decoding: partialCharacter, as: UTF8.self)
        partialCharacter.removeAll()
        if let character = text.first, character != "\u{FFFD}" { keys.append(.character(character)) }
    }

    private static func sequenceLength(lead: UInt8) -> Int {
        switch lead {
        case 0xC2...0xDF: 2
        case 0xE0...0xEF: 3
        case 0xF0...0xF4: 4
        default: 1
        }
    }

    private static func controlKey(_ byte: UInt8) -> Key? {
        switch byte {
        case 0x0D, 0x0A: .enter
        case 0x7F, 0x08: .backspace
        case 0x15: .eraseLine
        case 0x17: .eraseWord
        case 0x03: .interrupt
        case 0x04: .endOfInput
        case 0x0C: .redraw
        case 0x09: .character(" ")
        case 0x01: .home
        case 0x05: .end
        default: nil
        }
    }

    private static func sequenceKey(final: UInt8, parameters: [UInt8]) -> Key? {
        switch final {
        case UInt8(ascii: "A"): .up
        case UInt8(ascii: "B"): .down
        case UInt8(ascii: "C"): .right
        case UInt8(ascii: "D"): .left
        case UInt8(ascii: "H"): .home
        case UInt8(ascii: "F"): .end
        case UInt8(ascii: "~"):
            switch parameters {
            case Array("1".utf8), Array("7".utf8): .home
            case Array("4".utf8), Array("8".utf8): .end
            case Array("3".utf8): .delete
            default: nil
            }
        default: nil
        }
    }
}
