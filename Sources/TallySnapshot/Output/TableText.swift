import TallyCore

/// The `table` format's text: cells, terminal-safe text, aligned tables of at most 80 columns, one object shown vertically.
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
