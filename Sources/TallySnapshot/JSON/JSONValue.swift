/// A JSON value with object keys in a fixed order and numbers kept as their text,
/// so values read from a manifest are written back unchanged.
///
/// ```swift
/// let value = JSONValue.object([("cost_usd", .money(123_450)), ("model", .string("m"))])
/// value.serialized()   // {"cost_usd":0.00012345,"model":"m"}
/// ```
enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    /// Number text as it appears in JSON.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([Field])
    /// Already serialized, valid JSON text, emitted verbatim.
    case raw(String)

    struct Field: Hashable, Sendable {
        var key: String
        var value: JSONValue
    }

    static func object(_ fields: [(String, JSONValue)]) -> JSONValue {
        .object(fields.map { Field(key: $0.0, value: $0.1) })
    }

    static func int(_ value: Int64?) -> JSONValue { value.map { .number(String($0)) } ?? .null }
    static func int(_ value: Int) -> JSONValue { .number(String(value)) }

    /// Nano-dollars as USD with up to 9 decimals, exactly.
    static func money(_ nanos: Int64?) -> JSONValue { nanos.map { .number(Money.usd(nanos: $0)) } ?? .null }

    /// Epoch milliseconds as RFC 3339 UTC with milliseconds.
    static func time(_ ms: Int64?) -> JSONValue { ms.map { .string(Timestamp.rfc3339(ms: $0)) } ?? .null }

    /// A finite double in its shortest exact form; NaN and infinities are `null`.
    static func double(_ value: Double?) -> JSONValue {
        guard let value, value.isFinite else { return .null }
        return .number(value.description)
    }

    static func text(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }

    subscript(key: String) -> JSONValue? {
        guard case .object(let fields) = self else { return nil }
        return fields.first { $0.key == key }?.value
    }

    var int64Value: Int64? {
        guard case .number(let text) = self else { return nil }
        return Int64(text)
    }

    var stringValue: String? {
        guard case .string(let text) = self else { return nil }
        return text
    }

    var isNull: Bool { if case .null = self { true } else { false } }

    /// Compact JSON text.
    func serialized() -> String {
        var out = ""
        write(to: &out)
        return out
    }

    func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .number(let text): out += text
        case .raw(let text): out += text
        case .string(let text): JSONValue.writeString(text, to: &out)
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                item.write(to: &out)
            }
            out += "]"
        case .object(let fields):
            out += "{"
            for (index, field) in fields.enumerated() {
                if index > 0 { out += "," }
                JSONValue.writeString(field.key, to: &out)
                out += ":"
                field.value.write(to: &out)
            }
            out += "}"
        }
    }

    /// A JSON string literal: `"` and `\` escaped, control characters as `\n`, `\t`… or `\u00XX`;
    /// everything else as UTF-8.
    static func writeString(_ text: String, to out: inout String) {
        // Most strings (ids, names, times) need no escape: append them whole.
        guard text.utf8.contains(where: { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 }) else {
            out += "\""
            out += text
            out += "\""
            return
        }
        var escaped = JSONBytes()
        escaped.appendString(text)
        out += String(decoding: escaped.bytes, as: UTF8.self)
    }
}
