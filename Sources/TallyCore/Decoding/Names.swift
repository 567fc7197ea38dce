/// The contract's spelling of each enumerated value.
enum Names {
    static let kind: [(name: StaticString, value: Event.Kind)] = [
        ("message", .message), ("llm_call", .llmCall), ("tool_call", .toolCall),
        ("session_start", .sessionStart), ("session_end", .sessionEnd),
        ("log", .log), ("feedback", .feedback), ("access", .access),
    ]
    static let endStatus: [(name: StaticString, value: Event.EndStatus)] = [
        ("completed", .completed), ("failed", .failed), ("cancelled", .cancelled), ("timeout", .timeout),
    ]
    static let callStatus: [(name: StaticString, value: Event.CallStatus)] = [
        ("success", .success), ("error", .error), ("timeout", .timeout),
    ]
    static let role: [(name: StaticString, value: Event.Role)] = [
        ("user", .user), ("assistant", .assistant), ("system", .system), ("tool", .tool),
    ]
    static let logLevel: [(name: StaticString, value: Event.LogLevel)] = [
        ("debug", .debug), ("info", .info), ("warn", .warn), ("error", .error),
    ]
    static let sentiment: [(name: StaticString, value: Event.Sentiment)] = [
        ("positive", .positive), ("neutral", .neutral), ("negative", .negative),
    ]
    static let accessOutcome: [(name: StaticString, value: Event.AccessOutcome)] = [
        ("allowed", .allowed), ("denied", .denied), ("rate_limited", .rateLimited),
    ]
}

extension Names {
    /// "success, error or timeout": the names of an enumeration, for a dead letter's detail.
    static func list<Value>(_ names: [(name: StaticString, value: Value)]) -> String {
        let texts = names.map { "\($0.name)" }
        guard texts.count > 1 else { return texts.first ?? "" }
        return texts.dropLast().joined(separator: ", ") + " or " + texts.last!
    }

    /// The contract's order of the types, for the detail of `unknown_type`.
    static let kindInContractOrder: [(name: StaticString, value: Event.Kind)] = [
        ("session_start", .sessionStart), ("session_end", .sessionEnd), ("message", .message),
        ("llm_call", .llmCall), ("tool_call", .toolCall), ("log", .log), ("feedback", .feedback), ("access", .access),
    ]
}
