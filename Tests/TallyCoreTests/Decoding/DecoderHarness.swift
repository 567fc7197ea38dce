import TallyCore

/// Decodes test lines given as text.
enum DecoderHarness {
    static func decode(_ line: String, maxLineBytes: Int = 1 << 20) -> DecodeResult {
        var decoder = EventDecoder(maxLineBytes: maxLineBytes)
        return decoder.decode(Array(line.utf8))
    }

    static func decode(bytes: [UInt8]) -> DecodeResult {
        var decoder = EventDecoder()
        return decoder.decode(bytes)
    }

    /// The reason a line is invalid, or nil when it decodes to an event or is blank.
    static func reason(_ line: String) -> InvalidReason? {
        if case .invalid(let reason) = decode(line) { return reason }
        return nil
    }

    static func event(_ line: String) -> Event? {
        if case .event(let event) = decode(line) { return event }
        return nil
    }

    /// The `llm_call` decoded from a line with the given extra members.
    static func llmCall(_ members: String) -> Event.LLMCall? {
        guard let event = event(#"{"type":"llm_call","ts":0,"session_id":"s","model":"m"\#(members)}"#),
              case .llmCall(let call) = event.payload
        else { return nil }
        return call
    }

    /// The reason an `llm_call` with the given extra members is invalid.
    static func llmCallReason(_ members: String) -> InvalidReason? {
        reason(#"{"type":"llm_call","ts":0,"session_id":"s","model":"m"\#(members)}"#)
    }

    /// The `ts` of a `session_start` whose `ts` member is the given JSON text.
    static func timestamp(_ json: String) -> Int64? {
        event(#"{"type":"session_start","session_id":"s","ts":\#(json)}"#)?.timestamp
    }

    static func timestampReason(_ json: String) -> InvalidReason? {
        reason(#"{"type":"session_start","session_id":"s","ts":\#(json)}"#)
    }
}
