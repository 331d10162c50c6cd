import Foundation

extension AliasCard {
    /// Characters in an alias after normalization.
    public static let aliasLengths = 1...32
    /// Characters in a display name.
    public static let maximumDisplayNameLength = 64

    /// The canonical form of an alias, or why there is none: Unicode NFKC, lower case, surrounding
    /// white space removed; then 1-32 characters, each a letter (with its combining marks), a
    /// decimal digit, `-`, `_` or `.`, starting with a letter or digit. So `  Ａlice ` becomes
    /// `alice`, and control, invisible and white-space characters are refused.
    public static func normalize(alias: String) throws(AliasCardError) -> String {
        // Lower-casing can leave a string that is no longer NFKC (`İ` becomes `i` + U+0307), hence twice.
        let normalized = alias.precomposedStringWithCompatibilityMapping.lowercased()
            .precomposedStringWithCompatibilityMapping
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard aliasLengths.contains(normalized.count) else {
            throw .invalidAlias("\(normalized.count) characters after normalization; 1-32 allowed")
        }
        for (index, scalar) in normalized.unicodeScalars.enumerated() {
            // Marks and punctuation may not come first.
            let allowed: Bool = switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber: true
            case .nonspacingMark, .spacingMark, .enclosingMark: index > 0
            default: index > 0 && "-_.".unicodeScalars.contains(scalar)
            }
            guard allowed else {
                throw .invalidAlias("U+\(String(scalar.value, radix: 16, uppercase: true)) is not allowed here")
            }
        }
        return normalized
    }

    /// Checks a display name: at most 64 characters, none of them a control character, a line or
    /// paragraph separator, or an invisible format character (bidirectional overrides, zero-width
    /// spaces), except the zero-width joiner that emoji sequences need.
    public static func check(displayName: String) throws(AliasCardError) {
        guard displayName.count <= maximumDisplayNameLength else {
            throw .invalidDisplayName("\(displayName.count) characters; at most \(maximumDisplayNameLength)")
        }
        for scalar in displayName.unicodeScalars {
            let refused: Bool = switch scalar.properties.generalCategory {
            case .control, .lineSeparator, .paragraphSeparator, .surrogate, .unassigned, .privateUse: true
            case .format: scalar != "\u{200D}"
            default: false
            }
            guard !refused else {
                throw .invalidDisplayName("U+\(String(scalar.value, radix: 16, uppercase: true)) is a control or invisible character")
            }
        }
    }
}
