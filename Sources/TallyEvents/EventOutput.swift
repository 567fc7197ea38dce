import TallyCore
import TallySnapshot

/// Writes event rows in a query format, one row at a time: `json` (one array), `ndjson`, `csv`, or
/// `table`, a transcript a person reads top to bottom (one line an event: time, who or what, and
/// its substance; text from events shown with control characters escaped).
///
/// ```swift
/// var output = EventOutput(format: .ndjson, withField: false)
/// var text = output.begin()
/// text += output.row(row)
/// text += output.end()
/// ```
public struct EventOutput: Sendable {
    public let format: OutputFormat
    /// Adds `field` (search rows).
    public let withField: Bool
    private var rows = 0
    private var day: Int64?

    public init(format: OutputFormat, withField: Bool) {
        self.format = format
        self.withField = withField
    }

    private var fields: [String] {
        ["ts", "type", "session_id", "source", "offset", "cost_usd", "event"] + (withField ? ["field"] : [])
    }

    public func begin() -> String {
        switch format {
        case .json: "["
        case .csv: fields.joined(separator: ",") + "\n"
        case .ndjson, .table: ""
        }
    }

    public mutating func row(_ row: EventRow) -> String {
        defer { rows += 1 }
        switch format {
        case .json: return (rows == 0 ? "" : ",") + object(row).serialized()
        case .ndjson: return object(row).serialized() + "\n"
        case .csv: return csv(row)
        case .table: return transcript(row)
        }
    }

    public func end() -> String {
        switch format {
        case .json: "]\n"
        case .table: rows == 0 ? "(no events)\n" : ""
        case .csv, .ndjson: ""
        }
    }

    func object(_ row: EventRow) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("ts", .string(Timestamp.rfc3339(ms: row.timestamp))), ("type", .string(row.type)),
            ("session_id", .text(row.sessionID)), ("source", .string(row.source)), ("offset", .int(row.offset)),
        ]
        if row.isLLMCall { fields.append(("cost_usd", row.costNanos.map { .number(Money.usd(nanos: $0)) } ?? .null)) }
        fields.append(("event", .raw(String(decoding: row.event, as: UTF8.self))))
        if withField { fields.append(("field", .text(row.field))) }
        return .object(fields)
    }

    /// A row in CSV, through the cells every `--format csv` writes (a text a spreadsheet would
    /// run as a formula starts with `'`).
    private func csv(_ row: EventRow) -> String {
        var cells: [JSONValue] = [
            .string(Timestamp.rfc3339(ms: row.timestamp)), .string(row.type), row.sessionID.map { .string($0) } ?? .null,
            .string(row.source), .int(row.offset),
            row.isLLMCall ? row.costNanos.map { .number(Money.usd(nanos: $0)) } ?? .null : .null,
            .string(String(decoding: row.event, as: UTF8.self)),
        ]
        if withField { cells.append(row.field.map { .string($0) } ?? .null) }
        return CSV.line(cells.map(CSV.cell))
    }

    // MARK: Transcript

    private mutating func transcript(_ row: EventRow) -> String {
        let stamp = Timestamp.rfc3339(ms: row.timestamp)   // 2025-10-23T14:30:00.123Z
        let today = row.timestamp >= 0 ? row.timestamp / 86_400_000 : (row.timestamp - 86_399_999) / 86_400_000
        var out = ""
        if day != today {
            day = today
            out += "── " + stamp.prefix(10) + (withField || rows > 0 ? "" : "  " + TableText.printable(row.sessionID ?? "")) + "\n"
        }
        let time = String(stamp.dropFirst(11).dropLast())
        let value = (try? JSONParser.parse(row.event)) ?? .null
        var line = time + "  " + Self.substance(row, value)
        if withField { line += "  [" + (row.field ?? "") + (row.sessionID.map { " in " + TableText.printable($0) } ?? "") + "]" }
        return out + line + "\n"
    }

    private static func text(_ value: JSONValue?, max: Int = 60) -> String? {
        guard let value, !value.isNull else { return nil }
        var text: String
        switch value {
        case .string(let string): text = string
        case .number(let number): text = number
        default: text = value.serialized()
        }
        if text.count > max { text = String(text.prefix(max - 1)) + "…" }
        return TableText.printable(text)
    }

    private static func substance(_ row: EventRow, _ event: JSONValue) -> String {
        func field(_ key: String) -> String? { text(event[key]) }
        var parts: [String]
        switch row.type {
        case "message":
            parts = [field("role") ?? "?", field("content").map { "\"\($0)\"" } ?? "(no content)"]
        case "llm_call":
            parts = ["llm", field("model") ?? "?"]
            let input = event["input_tokens"]?.int64Value
            let output = event["output_tokens"]?.int64Value
            if input != nil || output != nil {
                parts.append("\(input.map(String.init) ?? "?")→\(output.map(String.init) ?? "?") tok")
            }
            parts.append(row.costNanos.map { "$" + Money.usd(nanos: $0) } ?? "unpriced")
            if let latency = field("latency_ms") { parts.append(latency + " ms") }
            if let status = field("status"), status != "success" { parts.append(status) }
            if let error = field("error_message") { parts.append(error) }
        case "tool_call":
            parts = ["tool", field("tool_name") ?? "?", field("status") ?? "?"]
            if let ms = field("execution_time_ms") { parts.append(ms + " ms") }
            if let error = field("error_message") { parts.append(error) }
        case "session_start":
            parts = ["start"] + [field("user_id").map { "user " + $0 }].compactMap { $0 }
        case "session_end":
            parts = ["end", (field("status") ?? "?").uppercased()] + [field("error_message")].compactMap { $0 }
        case "log":
            parts = ["log", field("level") ?? "?", field("message") ?? ""]
        case "feedback":
            parts = ["feedback"] + [field("rating").map { "rating " + $0 }, field("sentiment"), field("comment").map { "\"\($0)\"" }].compactMap { $0 }
        case "access":
            parts = ["access", field("outcome") ?? "?"] + [field("ip_address")].compactMap { $0 }
        default:
            parts = [row.type]
        }
        return parts.joined(separator: "  ")
    }
}
