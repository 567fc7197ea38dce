import Testing
import TallyCore

/// 1.1: every invalid line names its field (when the reason is about one) and says why in one line.
@Suite struct DeadLetterDetailTests {
    /// The reason, field and detail of a line.
    static func invalid(_ line: String, maxLineBytes: Int = 1 << 20) -> InvalidLine? {
        var decoder = EventDecoder(maxLineBytes: maxLineBytes)
        guard case .invalid(let reason) = decoder.decode(Array(line.utf8)) else { return nil }
        #expect(decoder.lastInvalid.reason == reason)
        return decoder.lastInvalid
    }

    static func llm(_ members: String) -> InvalidLine? {
        invalid(#"{"type":"llm_call","ts":0,"session_id":"s","model":"m"\#(members)}"#)
    }

    @Test func everyReasonAboutAFieldNamesIt() {
        let cases: [(String, InvalidReason, String, String)] = [
            (#"{"ts":0}"#, .missingType, "type", "no type"),
            (#"{"type":"done","ts":0}"#, .unknownType, "type",
             #"unknown type "done"; expected session_start, session_end, message, llm_call, tool_call, log, feedback or access"#),
            (#"{"type":"session_start","session_id":"s"}"#, .missingField, "ts", "missing ts"),
            (#"{"type":"tool_call","ts":0,"session_id":"s","status":"success"}"#, .missingField, "tool_name", "missing tool_name"),
            (#"{"type":"session_start","ts":"yesterday","session_id":"s"}"#, .badTimestamp, "ts",
             #"ts "yesterday" is neither RFC 3339 with an offset nor integer epoch milliseconds"#),
            (#"{"type":"session_start","ts":true,"session_id":"s"}"#, .wrongType, "ts", "expected a string or an integer, got a boolean"),
            (#"{"type":"session_start","ts":0,"session_id":"s","user_id":7}"#, .wrongType, "user_id", "expected a string, got an integer"),
            (#"{"type":"session_start","ts":0,"session_id":""}"#, .outOfRange, "session_id", "session_id is 0 bytes; expected 1 to 256"),
            (#"{"type":"session_end","ts":0,"session_id":"s","status":"done"}"#, .badEnum, "status",
             #"unknown status "done"; expected completed, failed, cancelled or timeout"#),
            (#"{"type":"tool_call","ts":0,"session_id":"s","tool_name":"t","status":"done"}"#, .badEnum, "status",
             #"unknown status "done"; expected success, error or timeout"#),
            (#"{"type":"feedback","ts":0,"session_id":"s","rating":7}"#, .outOfRange, "rating", "rating 7 is outside 1 to 5"),
            (#"{"type":"log","ts":0,"level":"info","message":"m","process_id":[1]}"#, .wrongType, "process_id",
             "expected a string or an integer, got an array"),
        ]
        for (line, reason, field, detail) in cases {
            let invalid = Self.invalid(line)
            #expect(invalid == InvalidLine(reason: reason, field: field, detail: detail), "\(line)")
        }
        #expect(Self.llm(#","input_tokens":"800""#) == InvalidLine(
            reason: .wrongType, field: "input_tokens", detail: "expected an integer, got a string"))
        #expect(Self.llm(#","input_tokens":-5"#) == InvalidLine(reason: .outOfRange, field: "input_tokens", detail: "input_tokens -5 is below 0"))
        #expect(Self.llm(#","input_tokens":800,"cached_input_tokens":900"#) == InvalidLine(
            reason: .outOfRange, field: "cached_input_tokens", detail: "cached_input_tokens 900 is above input_tokens 800"))
        #expect(Self.llm(#","context_window":0"#) == InvalidLine(
            reason: .outOfRange, field: "context_window", detail: "context_window 0 is below 1"))
        #expect(Self.llm(#","cost_usd":-0.5"#) == InvalidLine(reason: .outOfRange, field: "cost_usd", detail: "cost_usd -0.5 is below 0"))
    }

    @Test func linesInvalidAsAWholeNameNoField() {
        #expect(Self.invalid("[1,2]")?.field == nil)
        #expect(Self.invalid("[1,2]")?.reason == .notObject)
        #expect(Self.invalid(#"{"type":"#)?.field == nil)
        #expect(Self.invalid(#"{"type":"#)?.detail == "the line is not valid JSON")
        #expect(Self.invalid(String(repeating: " ", count: 20), maxLineBytes: 10) == InvalidLine(
            reason: .tooLong, field: nil, detail: "the line is 20 bytes, longer than max_line_bytes 10"))
        var decoder = EventDecoder()
        #expect(decoder.decode([0x7B, 0xFF, 0x7D]) == .invalid(.invalidUTF8))
        #expect(decoder.lastInvalid == InvalidLine(reason: .invalidUTF8, field: nil, detail: "the line is not valid UTF-8"))
    }

    /// Cached tokens and cache writes are parts of `input_tokens` (events.md 1.1).
    @Test func cacheWritesNeedInputTokensAndFitWithTheCachedTokens() {
        #expect(DecoderHarness.llmCall(#","input_tokens":800,"cached_input_tokens":500,"cache_write_input_tokens":300"#)?
                .cacheWriteInputTokens == 300)
        #expect(Self.llm(#","input_tokens":800,"cached_input_tokens":500,"cache_write_input_tokens":301"#) == InvalidLine(
            reason: .outOfRange, field: "cache_write_input_tokens",
            detail: "cached_input_tokens 500 + cache_write_input_tokens 301 is above input_tokens 800"))
        #expect(Self.llm(#","input_tokens":800,"cache_write_input_tokens":801"#) == InvalidLine(
            reason: .outOfRange, field: "cache_write_input_tokens", detail: "cache_write_input_tokens 801 is above input_tokens 800"))
        #expect(Self.llm(#","output_tokens":10,"cache_write_input_tokens":1"#) == InvalidLine(
            reason: .outOfRange, field: "cache_write_input_tokens", detail: "cache_write_input_tokens without input_tokens"))
        #expect(Self.llm(#","input_tokens":8,"cache_write_input_tokens":"1""#)?.reason == .wrongType)
        #expect(Self.llm(#","input_tokens":8,"cache_write_input_tokens":9223372036854775807,"cached_input_tokens":8"#)?.reason
                == .outOfRange)
    }
}
