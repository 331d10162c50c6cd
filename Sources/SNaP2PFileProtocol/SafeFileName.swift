/// A sender's suggested name reduced to a base name that is safe to create inside the receiving
/// directory: the last path component (after `/` or `\`), without control or bidirectional-format
/// characters (which could hide the real extension), without leading dots (no hidden files such
/// as `.profile` can be planted) or surrounding spaces, and short enough that `NAME (999).partial.meta`
/// still fits a 255-byte file name. What is left of `..`, `/` or an empty name is `file`.
public enum SafeFileName {
    /// The longest base name kept, in bytes of UTF-8.
    public static let maximumLength = 200

    /// The safe base name for `suggested`.
    public static func reduce(_ suggested: String) -> String {
        let lastComponent = suggested.split(omittingEmptySubsequences: true) { $0 == "/" || $0 == "\\" }.last ?? ""
        var scalars = String.UnicodeScalarView(lastComponent.unicodeScalars.filter { !isUnsafe($0) })
        while let first = scalars.first, first == "." || first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        let name = shortened(String(scalars))
        return name.isEmpty ? "file" : name
    }

    /// The `index`-th alternative to `name` when it is taken: `report (1).pdf`, `report (2).pdf`…
    /// (index 0 is `name` itself). The number goes before the last extension.
    public static func alternative(_ name: String, index: Int) -> String {
        guard index > 0 else { return name }
        if let dot = name.lastIndex(of: "."), dot != name.startIndex {
            return "\(name[..<dot]) (\(index))\(name[dot...])"
        }
        return "\(name) (\(index))"
    }

    /// Text from the other side made fit to print on a terminal: control and format characters
    /// become `?`, so a name cannot move the cursor or recolour the screen.
    public static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { isUnsafe($0) ? "?" : $0 }))
    }

    /// C0, DEL, C1, and Unicode's format characters (bidi overrides, zero-width marks).
    private static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned: true
        default: false
        }
    }

    /// Cuts a long name to ``maximumLength`` bytes on a character boundary, keeping a short
    /// extension (up to 16 bytes) so the file still opens with the right program.
    private static func shortened(_ name: String) -> String {
        guard name.utf8.count > maximumLength else { return name }
        var suffix = ""
        if let dot = name.lastIndex(of: "."), name[dot...].utf8.count <= 16 { suffix = String(name[dot...]) }
        var stem = ""
        for character in name.dropLast(suffix.count) {
            guard stem.utf8.count + character.utf8.count + suffix.utf8.count <= maximumLength else { break }
            stem.append(character)
        }
        return stem + suffix
    }
}
