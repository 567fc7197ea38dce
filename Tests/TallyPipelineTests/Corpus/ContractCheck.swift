import Foundation

/// A small, independent reading of the event contract (shared/spec/events.md), used to check
/// that generated lines are valid, and that invalid ones fail for the reason they claim.
/// Returns the reason name, or `nil` for a valid line.
enum ContractCheck {
    static let types: Set<String> = ["session_start", "session_end", "message", "llm_call", "tool_call", "log", "feedback", "access"]

    static func reason(of line: ArraySlice<UInt8>, maxLineBytes: Int = 1 << 20) -> String? {
        guard line.count <= maxLineBytes else { return "too_long" }
        guard String(validating: line, as: UTF8.self) != nil else { return "invalid_utf8" }
        guard let parsed = try? JSONSerialization.jsonObject(with: Data(line), options: [.fragmentsAllowed]) else {
            return "not_json"
        }
        guard let object = parsed as? [String: Any] else { return "not_object" }
        guard let typeValue = object["type"], !(typeValue is NSNull) else { return "missing_type" }
        guard let type = typeValue as? String, types.contains(type) else { return "unknown_type" }
        var fields = Fields(object: object)
        fields.timestamp()
        if type == "log" { fields.string("session_id", required: false) } else { fields.string("session_id", required: true) }
        for key in ["event_id", "conversation_id", "user_id", "org_id", "project_id", "persona_id"] {
            fields.string(key, required: false)
        }
        switch type {
        case "session_end":
            fields.choice("status", ["completed", "failed", "cancelled", "timeout"], required: true)
            fields.string("error_message", required: false)
        case "message":
            fields.choice("role", ["user", "assistant", "system", "tool"], required: true)
            fields.integer("turn", minimum: 0)
            fields.string("content", required: false)
        case "llm_call":
            fields.string("model", required: true)
            for key in ["input_tokens", "output_tokens", "cached_input_tokens", "reasoning_tokens", "latency_ms", "ttft_ms", "turn"] {
                fields.integer(key, minimum: 0)
            }
            fields.integer("context_window", minimum: 1)
            fields.number("cost_usd", range: 0...Double.greatestFiniteMagnitude)
            fields.choice("status", ["success", "error", "timeout"], required: false)
            if let cached = fields.int("cached_input_tokens"), cached > (fields.int("input_tokens") ?? -1) {
                fields.fail("out_of_range")
            }
            if let reasoning = fields.int("reasoning_tokens"), reasoning > (fields.int("output_tokens") ?? -1) {
                fields.fail("out_of_range")
            }
        case "tool_call":
            fields.string("tool_name", required: true)
            fields.choice("status", ["success", "error", "timeout"], required: true)
            fields.integer("execution_time_ms", minimum: 0)
            fields.integer("turn", minimum: 0)
        case "log":
            fields.choice("level", ["debug", "info", "warn", "error"], required: true)
            fields.string("message", required: true)
        case "feedback":
            fields.number("rating", range: 1...5)
            fields.choice("sentiment", ["positive", "neutral", "negative"], required: false)
        case "access":
            fields.choice("outcome", ["allowed", "denied", "rate_limited"], required: true)
        default:
            break
        }
        return fields.reason
    }

    struct Fields {
        let object: [String: Any]
        var reason: String?

        mutating func fail(_ name: String) {
            if reason == nil { reason = name }
        }

        func value(_ key: String) -> Any? {
            guard let value = object[key], !(value is NSNull) else { return nil }
            return value
        }

        static func isBool(_ value: Any) -> Bool {
            guard let number = value as? NSNumber else { return false }
            return String(cString: number.objCType) == "c"
        }

        static func isInteger(_ value: Any) -> Bool {
            guard let number = value as? NSNumber, !isBool(value) else { return false }
            let kind = String(cString: number.objCType)
            return kind != "d" && kind != "f"
        }

        func int(_ key: String) -> Int64? {
            guard let value = value(key), Self.isInteger(value) else { return nil }
            return (value as! NSNumber).int64Value
        }

        mutating func timestamp() {
            guard let value = value("ts") else { return fail("missing_field") }
            if Self.isInteger(value) { return }
            guard let text = value as? String else { return fail("wrong_type") }
            let pattern = #"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]\d\d:\d\d)$"#
            if text.range(of: pattern, options: .regularExpression) == nil { fail("bad_ts") }
        }

        mutating func string(_ key: String, required: Bool) {
            guard let value = value(key) else { return required ? fail("missing_field") : () }
            if !(value is String) || Self.isBool(value) || value is NSNumber { fail("wrong_type") }
        }

        mutating func choice(_ key: String, _ choices: Set<String>, required: Bool) {
            guard let value = value(key) else { return required ? fail("missing_field") : () }
            guard let text = value as? String, !(value is NSNumber) else { return fail("wrong_type") }
            if !choices.contains(text) { fail("bad_enum") }
        }

        mutating func integer(_ key: String, minimum: Int64) {
            guard let value = value(key) else { return }
            guard Self.isInteger(value) else { return fail("wrong_type") }
            if (value as! NSNumber).int64Value < minimum { fail("out_of_range") }
        }

        mutating func number(_ key: String, range: ClosedRange<Double>) {
            guard let value = value(key) else { return }
            guard let number = value as? NSNumber, !Self.isBool(value) else { return fail("wrong_type") }
            if !range.contains(number.doubleValue) { fail("out_of_range") }
        }
    }
}
