/// The BIP-39 English word list, embedded as source (``englishText``) so the binary needs no resources.
enum BIP39WordList {
    /// Words by index (0 ..< 2048).
    static let english: [String] = englishText.split(separator: "\n").map(String.init)
    /// Index of each word.
    static let englishIndex: [String: Int] = Dictionary(
        uniqueKeysWithValues: english.enumerated().map { ($0.element, $0.offset) })
}
