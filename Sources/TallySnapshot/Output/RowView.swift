import TallyCore

/// Values of one row by field name.
struct RowView: Sendable {
    let values: [JSONValue]
    let index: [String: Int]

    subscript(_ field: String) -> JSONValue {
        index[field].map { values[$0] } ?? .null
    }

    // Cell formatters for tables.

    func text(_ field: String) -> String { TableText.cell(self[field]) }

    /// `2025-10-23 14:30` (UTC, minutes) from RFC 3339 text.
    func time(_ field: String) -> String {
        guard case .string(let text) = self[field], text.count >= 16 else { return "-" }
        return text.prefix(10) + " " + text.dropFirst(11).prefix(5)
    }

    func duration(_ field: String) -> String {
        guard let ms = self[field].int64Value else { return "-" }
        return Timestamp.humanDuration(ms: ms)
    }

    func decimal(_ field: String, _ decimals: Int) -> String {
        guard case .number(let text) = self[field], let value = Double(text) else { return "-" }
        return fixedDecimal(value, decimals: decimals)
    }

    /// The sum of two integer fields, `-` when both are absent.
    func sum(_ first: String, _ second: String) -> String {
        let a = self[first].int64Value
        let b = self[second].int64Value
        if a == nil && b == nil { return "-" }
        return String((a ?? 0) + (b ?? 0))
    }
}
