import TallyCore

/// Numbers for people: `$12.34`, `1.2 M tokens`, `3.4 s`, `17,541`, `93.3 %`.
enum Human {
    static func count(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return (value < 0 ? "-" : "") + out
    }

    static func money(_ value: Double) -> String {
        if value == 0 { return "$0.00" }
        if value.magnitude >= 10_000 { return "$" + count(Int64(value.rounded())) }
        if value.magnitude >= 0.01 { return "$" + fixed(value, 2) }
        return "$" + fixed(value, 4)
    }

    static func tokens(_ value: Int64) -> String {
        let v = Double(value)
        if value < 1000 { return "\(value) tokens" }
        if value < 1_000_000 { return fixed(v / 1e3, 1) + " k tokens" }
        if value < 1_000_000_000 { return fixed(v / 1e6, 1) + " M tokens" }
        return fixed(v / 1e9, 1) + " B tokens"
    }

    static func duration(ms: Double) -> String {
        if ms < 1000 { return fixed(ms, 0) + " ms" }
        if ms < 60_000 { return fixed(ms / 1000, 1) + " s" }
        if ms < 3_600_000 { return fixed(ms / 60_000, 1) + " min" }
        if ms < 86_400_000 { return fixed(ms / 3_600_000, 1) + " h" }
        return fixed(ms / 86_400_000, 1) + " d"
    }

    static func percent(_ ratio: Double) -> String { fixed(ratio * 100, 1) + " %" }

    /// `value` with `decimals` digits after the point, rounded half away from zero.
    static func fixed(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return "-" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (value.magnitude * scale).rounded()
        guard scaled < 9e18 else { return value.description }
        let whole = Int64(scaled) / Int64(scale), fraction = Int64(scaled) % Int64(scale)
        var text = count(whole)
        if decimals > 0 {
            let digits = String(fraction)
            text += "." + String(repeating: "0", count: decimals - digits.count) + digits
        }
        return (value < 0 && scaled != 0 ? "-" : "") + text
    }

    /// A JSON value as a person reads it, by the kind of field.
    static func cell(_ value: JSONValue?, _ kind: Kind) -> String {
        guard let value, !value.isNull else { return "–" }
        switch (kind, value) {
        case (.text, .string(let text)): return HTML.escape(text)
        case (.time, .string(let text)): return HTML.escape(text.count >= 19 ? text.prefix(10) + " " + text.dropFirst(11).prefix(8) : text)
        case (_, .number(let text)):
            guard let number = Double(text) else { return HTML.escape(text) }
            let inner: String = switch kind {
            case .count: count(Int64(number))
            case .money: money(number)
            case .tokens: tokens(Int64(number))
            case .ms: duration(ms: number)
            case .ratio: percent(number)
            case .decimal: fixed(number, 2)
            case .text, .time: HTML.escape(text)
            }
            return "<span data-value=\"\(HTML.escape(text))\">\(inner)</span>"
        default: return HTML.escape(value.serialized())
        }
    }

    enum Kind { case text, time, count, money, tokens, ms, ratio, decimal }
}
