/// JSON text laid out exactly as the reference writes its wallet files (`JSON.stringify(value, null, 2)`):
/// keys in the given order, two-space indentation, `"key": value`, slashes unescaped, no trailing
/// newline. Foundation's encoder differs in all of these, and a byte-identical file is the simplest
/// proof of compatibility.
indirect enum WalletJSON {
    case string(String)
    case integer(Int)
    case null
    case array([WalletJSON])
    /// Members in writing order.
    case object([(key: String, value: WalletJSON)])

    /// The JSON text.
    var text: String {
        var out = ""
        write(into: &out, indent: "")
        return out
    }

    private func write(into out: inout String, indent: String) {
        switch self {
        case .string(let value):
            Self.writeString(value, into: &out)
        case .integer(let value):
            out += String(value)
        case .null:
            out += "null"
        case .array(let elements):
            guard !elements.isEmpty else { out += "[]"; return }
            let inner = indent + "  "
            out += "[\n"
            for (offset, element) in elements.enumerated() {
                out += inner
                element.write(into: &out, indent: inner)
                out += offset == elements.count - 1 ? "\n" : ",\n"
            }
            out += indent + "]"
        case .object(let members):
            guard !members.isEmpty else { out += "{}"; return }
            let inner = indent + "  "
            out += "{\n"
            for (offset, member) in members.enumerated() {
                out += inner
                Self.writeString(member.key, into: &out)
                out += ": "
                member.value.write(into: &out, indent: inner)
                out += offset == members.count - 1 ? "\n" : ",\n"
            }
            out += indent + "}"
        }
    }

    /// JavaScript's string quoting: `"` and `\` escaped, the short escapes for \b \f \n \r \t, other
    /// control characters as `\u00XX`; everything else (including `/` and non-ASCII) written as is.
    private static func writeString(_ value: String, into out: inout String) {
        out += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{00}"..."\u{1F}":
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
