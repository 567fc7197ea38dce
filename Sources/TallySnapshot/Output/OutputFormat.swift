import TallyCore

/// How `tally query` prints: `table` (aligned, for people), `json` (one value), `ndjson`
/// (one object a line), `csv` (header and rows, RFC 4180 quoting, LF line ends).
public enum OutputFormat: String, Sendable, CaseIterable {
    case table, json, ndjson, csv
}

/// A column of a table: its header, how a row's cell reads, and whether it may be cut to fit 80 columns.
struct TableColumn: Sendable {
    var header: String
    var rightAligned: Bool
    var shrinkable = false
    var cell: @Sendable (RowView) -> String
}

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

package enum TableText {
    static func cell(_ value: JSONValue) -> String {
        switch value {
        case .null: "-"
        case .string(let text): printable(text)
        case .number(let text), .raw(let text): printable(text)
        case .bool(let flag): flag ? "true" : "false"
        case .array, .object: printable(value.serialized())
        }
    }

    /// `text` made safe for a terminal: line breaks and tabs become spaces, and every other C0
    /// control, DEL and C1 control is shown escaped (`\x1B`, `\x7F`, `\u009B`), so that text from
    /// events can neither move the cursor, retitle the window nor clear the screen. The bidi
    /// controls (`\u202E` and kin) are shown escaped too, so that text cannot reorder what a
    /// reader sees around it.
    package static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var shown = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x09, 0x0A, 0x0D: shown.append(" ")
            case 0x00..<0x20, 0x7F: shown.append(contentsOf: ("\\x" + hex(scalar.value, digits: 2)).unicodeScalars)
            case _ where isControl(scalar): shown.append(contentsOf: ("\\u" + hex(scalar.value, digits: 4)).unicodeScalars)
            default: shown.append(scalar)
            }
        }
        return String(shown)
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00..<0x20, 0x7F..<0xA0: true
        // Bidi marks, embeddings, overrides and isolates.
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: digits - text.count) + text
    }

    /// Aligned columns, two spaces apart, at most `width` wide when a shrinkable column can make room.
    static func render(columns: [TableColumn], rows: [[String]], width: Int = 80) -> String {
        var widths = columns.map { $0.header.count }
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        let total = widths.reduce(0, +) + 2 * max(0, columns.count - 1)
        if total > width, let shrink = columns.firstIndex(where: \.shrinkable) {
            widths[shrink] = max(columns[shrink].header.count, 8, widths[shrink] - (total - width))
        }
        var out = ""
        func line(_ cells: [String]) {
            var text = ""
            for (index, cell) in cells.enumerated() {
                var shown = cell
                if shown.count > widths[index] { shown = shown.prefix(widths[index] - 1) + "…" }
                let padding = String(repeating: " ", count: widths[index] - shown.count)
                if index > 0 { text += "  " }
                text += columns[index].rightAligned ? padding + shown : shown + padding
            }
            while text.last == " " { text.removeLast() }
            out += text + "\n"
        }
        line(columns.map(\.header))
        rows.forEach(line)
        return out
    }

    /// `key  value` lines for one object; nested objects flatten to dotted keys.
    static func vertical(_ object: JSONValue) -> String {
        var lines: [(String, String)] = []
        func add(_ value: JSONValue, prefix: String) {
            if case .object(let fields) = value, !fields.isEmpty {
                for field in fields {
                    let key = printable(field.key)
                    add(field.value, prefix: prefix.isEmpty ? key : prefix + "." + key)
                }
            } else if case .raw(let text) = value, let parsed = try? JSONParser.parse(text), case .object = parsed {
                add(parsed, prefix: prefix)
            } else {
                lines.append((prefix, cell(value)))
            }
        }
        add(object, prefix: "")
        let keyWidth = lines.map(\.0.count).max() ?? 0
        return lines.map { $0.0 + String(repeating: " ", count: keyWidth - $0.0.count) + "  " + $0.1 + "\n" }.joined()
    }
}

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

/// Prints the rows of a list subject in one format as they come; tables are buffered to align them.
struct ListOutput {
    let format: OutputFormat
    let fields: [String]
    let columns: [TableColumn]
    let sink: (String) throws -> Void
    private let index: [String: Int]
    private var count = 0
    private var tableRows: [[String]] = []

    init(format: OutputFormat, fields: [String], columns: [TableColumn], sink: @escaping (String) throws -> Void) throws {
        self.format = format
        self.fields = fields
        self.columns = columns
        self.sink = sink
        index = Dictionary(uniqueKeysWithValues: fields.enumerated().map { ($1, $0) })
        if format == .csv { try sink(CSV.line(fields)) }
    }

    private func object(_ values: [JSONValue]) -> JSONValue {
        .object(zip(fields, values).map { ($0, $1) })
    }

    mutating func add(_ values: [JSONValue]) throws {
        switch format {
        case .json: try sink((count == 0 ? "[\n" : ",\n") + object(values).serialized())
        case .ndjson: try sink(object(values).serialized() + "\n")
        case .csv: try sink(CSV.line(values.map(CSV.cell)))
        case .table:
            let row = RowView(values: values, index: index)
            tableRows.append(columns.map { $0.cell(row) })
        }
        count += 1
    }

    /// Adds an object, taking its values in ``fields`` order.
    mutating func add(object: JSONValue) throws {
        try add(fields.map { object[$0] ?? .null })
    }

    mutating func finish() throws {
        switch format {
        case .json: try sink(count == 0 ? "[]\n" : "\n]\n")
        case .ndjson, .csv: break
        case .table: try sink(TableText.render(columns: columns, rows: tableRows))
        }
    }
}

/// Prints one object (`summary`, `session ID`).
func writeSingle(_ object: JSONValue, format: OutputFormat, sink: (String) throws -> Void) rethrows {
    switch format {
    case .json, .ndjson: try sink(object.serialized() + "\n")
    case .csv:
        guard case .object(let fields) = object else { return }
        try sink(CSV.line(fields.map { CSV.quoted($0.key) }))
        try sink(CSV.line(fields.map { CSV.cell($0.value) }))
    case .table: try sink(TableText.vertical(object))
    }
}
