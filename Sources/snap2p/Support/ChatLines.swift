import SNaP2P

/// The `chat` stream's format, shared with the TypeScript reference: UTF-8 text, one message per
/// line, each ending in `\n`. Splits received bytes (or standard input) back into lines.
struct ChatLineSplitter {
    /// The longest line kept whole; a longer one is cut into pieces of this many bytes, so a peer
    /// that never sends a newline cannot make us buffer without bound.
    let maximumLineBytes: Int
    private var pending: [UInt8] = []

    /// The stream label both sides use.
    static let streamLabel = "chat"
    /// Lines longer than this are split (in bytes).
    static let defaultMaximumLineBytes = 16 * 1024

    init(maximumLineBytes: Int = Self.defaultMaximumLineBytes) {
        self.maximumLineBytes = maximumLineBytes
    }

    /// The lines completed by `bytes`, without their `\n` (or `\r\n`).
    mutating func lines(appending bytes: some Collection<UInt8>) -> [String] {
        var lines: [String] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                lines.append(Self.text(pending))
                pending.removeAll(keepingCapacity: true)
            } else {
                pending.append(byte)
                if pending.count == maximumLineBytes {
                    lines.append(Self.text(pending))
                    pending.removeAll(keepingCapacity: true)
                }
            }
        }
        return lines
    }

    /// What is left after the input ended without a final newline, if anything.
    mutating func remainder() -> String? {
        defer { pending.removeAll() }
        return pending.isEmpty ? nil : Self.text(pending)
    }

    /// The bytes to send for one message.
    static func encode(_ line: String) -> [UInt8] {
        Array(line.utf8) + [UInt8(ascii: "\n")]
    }

    private static func text(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.last == UInt8(ascii: "\r") ? bytes.dropLast() : bytes[...], as: UTF8.self)
    }
}

extension String {
    /// The text with control characters (escape sequences a remote could use to rewrite the
    /// screen, bells, backspaces) and bidirectional overrides shown as U+FFFD, so it is safe to
    /// print on a terminal. Tabs become spaces.
    var withoutControlCharacters: String {
        var scalars = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            if scalar == "\t" {
                scalars.append(" ")
            } else if scalar.properties.generalCategory == .control || Self.bidirectionalOverrides.contains(scalar.value) {
                scalars.append("\u{FFFD}")
            } else {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    private static let bidirectionalOverrides: Set<UInt32> = [0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069]
}

/// Reads a `chat` stream line by line.
struct ChatLineReader {
    private var chunks: SNaP2PStream.Inbound.AsyncIterator
    private var splitter = ChatLineSplitter()
    private var ready: [String] = []
    private var ended = false

    init(_ stream: SNaP2PStream) {
        chunks = stream.inbound.makeAsyncIterator()
    }

    /// The next line; `nil` once the remote finished the stream (after a last unterminated line).
    /// Throws the stream's or the session's error.
    mutating func next() async throws -> String? {
        while ready.isEmpty && !ended {
            if let chunk = try await chunks.next() {
                ready = splitter.lines(appending: chunk)
            } else {
                ended = true
                if let rest = splitter.remainder() { ready = [rest] }
            }
        }
        return ready.isEmpty ? nil : ready.removeFirst()
    }
}
