import Foundation
import SNaP2PWire

/// Loads the golden vectors shipped in `Fixtures/` (copied from runs of the TypeScript reference).
public enum Vectors {
    /// The directory holding the fixture files.
    public static var directory: URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
    }

    /// `reference.json`, parsed.
    public static var reference: [String: Any] { load("reference.json") as! [String: Any] }
    /// `noise-standard-xx.json`, parsed.
    public static var noiseStandardXX: [String: Any] { load("noise-standard-xx.json") as! [String: Any] }
    /// `noise-reference-msg1-payload.json`, parsed: the reference's Noise class with a message-1 payload.
    public static var noiseReferenceMessage1Payload: [String: Any] { load("noise-reference-msg1-payload.json") as! [String: Any] }
    /// `bip39-trezor.json`, parsed.
    public static var bip39Trezor: Any { load("bip39-trezor.json") }
    /// The wallet directory written by the reference (password `correct horse battery`).
    public static var referenceWalletDirectory: URL { directory.appendingPathComponent("reference-wallet") }

    /// The example alias card of docs/ALIASCARDS.md, as bytes (`alias-card-example.hex`).
    public static var aliasCardExample: [UInt8] {
        let text = try! String(contentsOf: directory.appendingPathComponent("alias-card-example.hex"), encoding: .utf8)
        return [UInt8](hex: text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Parses a fixture file as JSON.
    public static func load(_ name: String) -> Any {
        let data = try! Data(contentsOf: directory.appendingPathComponent(name))
        return try! JSONSerialization.jsonObject(with: data)
    }

    /// Walks a path of keys (and integer indices for arrays) into parsed JSON.
    public static func value(_ root: Any, _ path: Any...) -> Any {
        var node = root
        for step in path {
            if let key = step as? String { node = (node as! [String: Any])[key]! }
            else { node = (node as! [Any])[step as! Int] }
        }
        return node
    }
}

extension Array where Element == UInt8 {
    /// Test shorthand: decodes hex that is known to be valid.
    public init(hex: String) { self = try! Hex.decode(hex) }
    /// Test shorthand: lowercase hex.
    public var hex: String { Hex.encode(self) }
}
