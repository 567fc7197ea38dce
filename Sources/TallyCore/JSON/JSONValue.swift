/// A JSON value with object keys in a fixed order and numbers kept as their text, so values
/// read with ``JSONParser`` are written back unchanged. Written with ``JSONBytes``.
///
/// ```swift
/// let value = JSONValue.object([("calls", .int(3)), ("model", .string("m"))])
/// value.serialized()   // {"calls":3,"model":"m"}
/// ```
package enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    /// Number text as it appears in JSON.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([Field])
    /// Already serialized, valid JSON text, emitted verbatim.
    case raw(String)

    package struct Field: Hashable, Sendable {
        package var key: String
        package var value: JSONValue

        package init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    package static func object(_ fields: [(String, JSONValue)]) -> JSONValue {
        .object(fields.map { Field(key: $0.0, value: $0.1) })
    }

    /// `{}`.
    package static let emptyObject = JSONValue.object([Field]())

    package static func int(_ value: Int64?) -> JSONValue { value.map { .number(String($0)) } ?? .null }
    package static func int(_ value: Int) -> JSONValue { .number(String(value)) }

    /// A finite double in its shortest exact form (Swift's `description`); NaN and infinities are `null`.
    package static func double(_ value: Double?) -> JSONValue {
        guard let value, value.isFinite else { return .null }
        return .number(value.description)
    }

    package static func text(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }

    /// The value of the first field named `key` of an object; `nil` for a missing key or another kind of value.
    package subscript(key: String) -> JSONValue? {
        guard case .object(let fields) = self else { return nil }
        return fields.first { $0.key == key }?.value
    }

    /// An integer number that fits Int64 (no fraction, no exponent).
    package var int64Value: Int64? {
        guard case .number(let text) = self else { return nil }
        return Int64(text)
    }

    package var stringValue: String? {
        guard case .string(let text) = self else { return nil }
        return text
    }

    package var isNull: Bool { if case .null = self { true } else { false } }

    /// Compact JSON text, as ``JSONBytes/append(_:)`` writes it.
    package func serialized() -> String {
        var json = JSONBytes()
        json.append(self)
        return String(decoding: json.bytes, as: UTF8.self)
    }
}
