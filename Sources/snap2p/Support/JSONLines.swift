import Foundation

/// Output for scripts: one JSON object per line, keys sorted so the output is stable.
enum JSONLines {
    /// Prints `value` as one line and flushes it, since scripts read lines while the process runs.
    static func print(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        Swift.print(String(decoding: try encoder.encode(value), as: UTF8.self))
        fflush(nil)
    }
}
