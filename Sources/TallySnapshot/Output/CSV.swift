import TallyCore

/// CSV cells as every `--format csv` writes them (RFC 4180 quoting, formulas neutralized).
package enum CSV {
    package static func cell(_ value: JSONValue) -> String {
        switch value {
        case .null: ""
        case .number(let text): text
        case .bool(let flag): flag ? "true" : "false"
        case .string(let text): quoted(neutralized(text))
        case .array, .object, .raw: quoted(value.serialized())
        }
    }

    /// A text cell that a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`,
    /// a tab or a carriage return) gets a leading `'`, which spreadsheets show as text.
    package static func neutralized(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return text }
        return "'" + text
    }

    package static func quoted(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return text }
        return "\"" + text.replacing("\"", with: "\"\"") + "\""
    }

    package static func line(_ cells: [String]) -> String { cells.joined(separator: ",") + "\n" }
}
