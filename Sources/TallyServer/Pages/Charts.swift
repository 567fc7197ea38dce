import TallyCore

/// Bar charts drawn on the server as inline SVG (no script, no styles but the page's classes).
enum Charts {
    /// One chart of `timeline` rows: each series is (field, label, CSS class), bars side by side per bucket.
    static func bars(_ title: String, _ rows: [JSONValue], _ series: [(String, String, String)], kind: Human.Kind) -> String {
        let width = 420.0, height = 150.0, left = 8.0, bottom = 18.0, top = 14.0
        let values = rows.map { row in series.map { number(row[$0.0]) } }
        let peak = values.flatMap { $0 }.max() ?? 0
        let slot = rows.isEmpty ? 0 : (width - left * 2) / Double(rows.count)
        let barWidth = max(1, slot / Double(series.count) - (slot > 6 ? 1 : 0))
        var svg = "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(HTML.escape(title))\">"
        svg += "<line class=\"axis\" x1=\"\(left)\" y1=\"\(height - bottom)\" x2=\"\(width - left)\" y2=\"\(height - bottom)\"/>"
        for (index, row) in rows.enumerated() {
            for (position, value) in values[index].enumerated() where value > 0 && peak > 0 {
                let h = (height - bottom - top) * value / peak
                let x = left + Double(index) * slot + Double(position) * barWidth
                let label = "\(row["bucket_start"]?.stringValue ?? "") \(series[position].1): \(plain(value, kind))"
                svg += "<rect class=\"\(series[position].2)\" x=\"\(r(x))\" y=\"\(r(height - bottom - h))\" width=\"\(r(barWidth))\" height=\"\(r(h))\"><title>\(HTML.escape(label))</title></rect>"
            }
        }
        svg += "<text x=\"\(left)\" y=\"10\">max \(HTML.escape(plain(peak, kind)))</text>"
        if let first = rows.first?["bucket_start"]?.stringValue, let last = rows.last?["bucket_start"]?.stringValue {
            svg += "<text x=\"\(left)\" y=\"\(height - 4)\">\(HTML.escape(short(first)))</text>"
            svg += "<text x=\"\(width - left)\" y=\"\(height - 4)\" text-anchor=\"end\">\(HTML.escape(short(last)))</text>"
        }
        svg += "</svg>"
        let legend = series.count > 1 ? " <small>(" + series.map { HTML.escape($0.1) }.joined(separator: ", ") + ")</small>" : ""
        return "<div class=\"chart\"><h3>\(HTML.escape(title))\(legend)</h3>\(svg)</div>"
    }

    /// The context-window bar: the fill up to `ratio`, coloured past 80, 90 and 95 %, with marks there.
    static func contextBar(_ ratio: Double) -> String {
        let shown = min(max(ratio, 0), 1)
        let fill = ratio >= 0.95 ? "fill-95" : ratio >= 0.9 ? "fill-90" : ratio >= 0.8 ? "fill-80" : "fill-ok"
        var svg = "<svg viewBox=\"0 0 1000 26\" role=\"img\" aria-label=\"context window \(Human.percent(ratio))\">"
        svg += "<rect class=\"track\" x=\"0\" y=\"4\" width=\"1000\" height=\"18\" rx=\"4\"/>"
        svg += "<rect class=\"\(fill)\" x=\"0\" y=\"4\" width=\"\(r(shown * 1000))\" height=\"18\" rx=\"4\"/>"
        for mark in [800, 900, 950] { svg += "<line class=\"mark\" x1=\"\(mark)\" y1=\"0\" x2=\"\(mark)\" y2=\"26\"/>" }
        return svg + "</svg>"
    }

    private static func number(_ value: JSONValue?) -> Double {
        if case .number(let text)? = value { return Double(text) ?? 0 }
        return 0
    }

    private static func plain(_ value: Double, _ kind: Human.Kind) -> String {
        switch kind {
        case .money: Human.money(value)
        case .tokens: Human.tokens(Int64(value))
        default: Human.count(Int64(value))
        }
    }

    private static func short(_ time: String) -> String {
        time.count >= 16 ? String(time.prefix(10) + " " + time.dropFirst(11).prefix(5)) : time
    }

    private static func r(_ value: Double) -> String { Human.fixed(value, 1).replacingCommas() }
}

extension String {
    func replacingCommas() -> String { String(filter { $0 != "," }) }
}
