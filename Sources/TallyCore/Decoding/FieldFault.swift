/// Why a field check failed, thrown by `FieldReader`: the reason, the key at fault (when the
/// reason is about one field) and a one-line detail for the dead letter.
struct FieldFault: Error {
    let reason: InvalidReason
    let field: FieldKey?
    let detail: String

    static let missingType = FieldFault(reason: .missingType, field: .type, detail: "no type")

    static func unknownType(_ text: String) -> FieldFault {
        FieldFault(reason: .unknownType, field: .type, detail: "unknown type \(text); expected \(Names.list(Names.kindInContractOrder))")
    }

    static func missing(_ key: FieldKey) -> FieldFault {
        FieldFault(reason: .missingField, field: key, detail: "missing \(key.name)")
    }

    static func badTimestamp(_ text: String) -> FieldFault {
        FieldFault(reason: .badTimestamp, field: .ts, detail: "ts \(text) is neither RFC 3339 with an offset nor integer epoch milliseconds")
    }

    static func wrongType(_ key: FieldKey, expected: String, got kind: ValueKind) -> FieldFault {
        FieldFault(reason: .wrongType, field: key, detail: "expected \(expected), got \(kind.phrase)")
    }

    static func outOfRange(_ key: FieldKey, _ detail: String) -> FieldFault {
        FieldFault(reason: .outOfRange, field: key, detail: detail)
    }

    static func badEnum(_ key: FieldKey, _ text: String, expected: String) -> FieldFault {
        FieldFault(reason: .badEnum, field: key, detail: "unknown \(key.name) \(text); expected \(expected)")
    }
}

extension ValueKind {
    /// "a string", "an integer", … for a dead letter's detail.
    var phrase: String {
        switch self {
        case .absent: "nothing"
        case .null: "null"
        case .boolean: "a boolean"
        case .integer: "an integer"
        case .number: "a number with a fraction or exponent"
        case .string: "a string"
        case .object: "an object"
        case .array: "an array"
        }
    }
}
