import Testing
import TallyCore

/// Rules shared by fields: strings and escapes, id lengths, integers, nulls, unknown keys.
@Suite struct FieldRuleTests {
    typealias H = DecoderHarness

    @Test func escapesAreDecodedInKeptStrings() {
        let event = H.event(#"{"type":"log","ts":0,"level":"info","message":"a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\u20ac\ud83d\ude00"}"#)
        guard case .log(let log) = event?.payload else {
            Issue.record("log expected")
            return
        }
        #expect(log.message == "a\"b\\c/d\u{08}\u{0C}\n\r\tAé€😀")
    }

    @Test func escapedKeysAndEnumValuesMatch() {
        // "\u0074ype" is "type", "\u0075ser" is "user".
        let event = H.event(#"{"\u0074ype":"message","ts":0,"session_id":"s","role":"\u0075ser"}"#)
        #expect(event?.payload == .message(Event.Message(role: .user)))
    }

    @Test func unknownFieldsAreIgnoredWhateverTheirValue() {
        let line = #"{"type":"session_start","ts":0,"session_id":"s","extra":{"a":[1,{"b":null}]},"n":-1.5e-7,"flag":false,"role":7,"status":[],"parameters":"x","ßtrange":"é"}"#
        #expect(H.event(line) == Event(timestamp: 0, sessionID: "s", payload: .sessionStart))
    }

    @Test func nullIsTheSameAsAbsent() {
        let line = #"{"type":"llm_call","ts":0,"session_id":"s","model":"m","provider":null,"input_tokens":null,"cached_input_tokens":null,"cost_usd":null,"status":null,"event_id":null,"user_id":null}"#
        #expect(H.event(line) == Event(timestamp: 0, sessionID: "s", payload: .llmCall(Event.LLMCall(model: "m"))))
    }

    @Test func sessionIDIsOneTo256Bytes() {
        let id256 = String(repeating: "x", count: 256)
        #expect(H.event(#"{"type":"session_start","ts":0,"session_id":"\#(id256)"}"#)?.sessionID == id256)
        #expect(H.reason(#"{"type":"session_start","ts":0,"session_id":"\#(id256)y"}"#) == .outOfRange)
        #expect(H.reason(#"{"type":"session_start","ts":0,"session_id":""}"#) == .outOfRange)
        // Counted in UTF-8 bytes after unescaping: 128 × "é" (2 bytes) = 256 bytes, written as \u00e9.
        let escaped = String(repeating: #"\u00e9"#, count: 128)
        #expect(H.event(#"{"type":"session_start","ts":0,"session_id":"\#(escaped)"}"#)?.sessionID
                == String(repeating: "é", count: 128))
        #expect(H.reason(#"{"type":"session_start","ts":0,"session_id":"\#(escaped)a"}"#) == .outOfRange)
    }

    @Test func eventIDIsOneTo128Bytes() {
        let id128 = String(repeating: "e", count: 128)
        #expect(H.event(#"{"type":"session_start","ts":0,"session_id":"s","event_id":"\#(id128)"}"#)?.eventID == EventID(id128))
        #expect(H.reason(#"{"type":"session_start","ts":0,"session_id":"s","event_id":"\#(id128)e"}"#) == .outOfRange)
        #expect(H.reason(#"{"type":"session_start","ts":0,"session_id":"s","event_id":""}"#) == .outOfRange)
        #expect(H.reason(#"{"type":"session_start","ts":0,"session_id":"s","event_id":12}"#) == .wrongType)
    }

    @Test func contextIDsMustBeStrings() {
        for key in ["conversation_id", "user_id", "org_id", "project_id", "persona_id"] {
            #expect(H.reason(#"{"type":"session_start","ts":0,"session_id":"s","\#(key)":42}"#) == .wrongType, "\(key)")
            #expect(H.reason(#"{"type":"session_start","ts":0,"session_id":"s","\#(key)":{"id":"x"}}"#) == .wrongType)
        }
    }

    @Test func integerFieldsTakeJSONIntegersOnly() {
        for key in ["input_tokens", "output_tokens", "latency_ms", "ttft_ms", "context_window", "turn"] {
            #expect(H.llmCallReason(#","\#(key)":12.0"#) == .wrongType, "\(key)")
            #expect(H.llmCallReason(#","\#(key)":1e3"#) == .wrongType, "\(key)")
            #expect(H.llmCallReason(#","\#(key)":"12""#) == .wrongType, "\(key)")
            #expect(H.llmCallReason(#","\#(key)":true"#) == .wrongType, "\(key)")
            #expect(H.llmCallReason(#","\#(key)":-1"#) == .outOfRange, "\(key)")
            #expect(H.llmCallReason(#","\#(key)":9223372036854775808"#) == .outOfRange, "\(key)")
        }
        #expect(H.llmCall(#","latency_ms":9223372036854775807"#)?.latencyMs == Int64.max)
        #expect(H.llmCall(#","latency_ms":0"#)?.latencyMs == 0)
        #expect(H.llmCall(#","latency_ms":-0"#)?.latencyMs == 0)
        #expect(H.llmCallReason(#","latency_ms":-9223372036854775809"#) == .outOfRange)
        #expect(H.llmCallReason(#","latency_ms":123456789012345678901234567890"#) == .outOfRange)
    }

    @Test func contextWindowMustBePositive() {
        #expect(H.llmCallReason(#","context_window":0"#) == .outOfRange)
        #expect(H.llmCall(#","context_window":1"#)?.contextWindow == 1)
    }

    @Test func cachedTokensNeedInputTokensAndStayWithinThem() {
        #expect(H.llmCallReason(#","cached_input_tokens":10"#) == .outOfRange)
        #expect(H.llmCallReason(#","input_tokens":9,"cached_input_tokens":10"#) == .outOfRange)
        #expect(H.llmCall(#","input_tokens":10,"cached_input_tokens":10"#)?.cachedInputTokens == 10)
        #expect(H.llmCall(#","input_tokens":10,"cached_input_tokens":0"#)?.cachedInputTokens == 0)
    }

    @Test func reasoningTokensNeedOutputTokensAndStayWithinThem() {
        #expect(H.llmCallReason(#","reasoning_tokens":1"#) == .outOfRange)
        #expect(H.llmCallReason(#","output_tokens":5,"reasoning_tokens":6"#) == .outOfRange)
        let call = H.llmCall(#","output_tokens":5,"reasoning_tokens":5"#)
        #expect(call?.outputTokens == 5)
        #expect(call?.reasoningTokens == 5)
    }
}
