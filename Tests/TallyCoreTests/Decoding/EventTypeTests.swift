import Testing
import TallyCore

/// Each event type: a full line decodes to the expected `Event`, and each required field is required.
@Suite struct EventTypeTests {
    typealias H = DecoderHarness

    @Test func sessionStartWithContextAndMetadata() {
        let line = #"{"type":"session_start","ts":"2025-10-23T14:30:00.123Z","session_id":"s1","event_id":"e1","conversation_id":"c","user_id":"u","org_id":"o","project_id":"p","persona_id":"pe","metadata":{"user_agent":"x","device_info":{"os":"linux"}}}"#
        let expected = Event(
            timestamp: 1_761_229_800_123, sessionID: "s1", eventID: "e1",
            context: SessionContext(conversationID: "c", userID: "u", orgID: "o", projectID: "p", personaID: "pe"),
            payload: .sessionStart)
        #expect(H.decode(line) == .event(expected))
    }

    @Test func sessionStartMetadataMustBeAnObject() {
        #expect(H.reason(#"{"type":"session_start","ts":0,"session_id":"s","metadata":"x"}"#) == .wrongType)
        #expect(H.reason(#"{"type":"session_start","ts":0,"session_id":"s","metadata":[]}"#) == .wrongType)
        #expect(H.event(#"{"type":"session_start","ts":0,"session_id":"s","metadata":null}"#) != nil)
        // metadata is not a field of other types, so it is ignored there.
        #expect(H.event(#"{"type":"access","ts":0,"session_id":"s","outcome":"denied","metadata":"x"}"#) != nil)
    }

    @Test func sessionEndNeedsAKnownStatus() {
        let event = H.event(#"{"type":"session_end","ts":0,"session_id":"s","status":"cancelled","error_message":"user left"}"#)
        #expect(event?.payload == .sessionEnd(Event.SessionEnd(status: .cancelled, errorMessage: "user left")))
        for status in ["completed", "failed", "cancelled", "timeout"] {
            #expect(H.event(#"{"type":"session_end","ts":0,"session_id":"s","status":"\#(status)"}"#) != nil)
        }
        #expect(H.reason(#"{"type":"session_end","ts":0,"session_id":"s"}"#) == .missingField)
        #expect(H.reason(#"{"type":"session_end","ts":0,"session_id":"s","status":"COMPLETED"}"#) == .badEnum)
        #expect(H.reason(#"{"type":"session_end","ts":0,"session_id":"s","status":1}"#) == .wrongType)
        #expect(H.reason(#"{"type":"session_end","ts":0,"session_id":"s","status":"completed","error_message":3}"#) == .wrongType)
    }

    @Test func messageKeepsOnlyContentLength() {
        let event = H.event(#"{"type":"message","ts":0,"session_id":"s","role":"assistant","turn":3,"message_id":"m1","content":"héllo"}"#)
        #expect(event?.payload == .message(Event.Message(role: .assistant, turn: 3, messageID: "m1", contentBytes: 6)))
        for role in ["user", "assistant", "system", "tool"] {
            #expect(H.event(#"{"type":"message","ts":0,"session_id":"s","role":"\#(role)"}"#) != nil)
        }
        #expect(H.reason(#"{"type":"message","ts":0,"session_id":"s"}"#) == .missingField)
        #expect(H.reason(#"{"type":"message","ts":0,"session_id":"s","role":"bot"}"#) == .badEnum)
        #expect(H.reason(#"{"type":"message","ts":0,"session_id":"s","role":"user","content":{"text":"x"}}"#) == .wrongType)
        #expect(H.reason(#"{"type":"message","ts":0,"session_id":"s","role":"user","turn":1.0}"#) == .wrongType)
    }

    @Test func contentLengthCountsUnescapedUTF8Bytes() {
        // "a\nb" → 3 bytes; \u00e9 → 2; \u20ac → 3; surrogate pair → 4; \" and \\ → 1 each.
        let line = #"{"type":"message","ts":0,"session_id":"s","role":"user","content":"a\nb\u00e9\u20ac\ud83d\ude00\"\\\/"}"#
        guard case .message(let message) = H.event(line)?.payload else {
            Issue.record("message expected")
            return
        }
        let expectedBytes: Int64 = 3 + 2 + 3 + 4 + 1 + 1 + 1
        #expect(message.contentBytes == expectedBytes)
        let empty = H.event(#"{"type":"message","ts":0,"session_id":"s","role":"user","content":""}"#)
        #expect(empty?.payload == .message(Event.Message(role: .user, contentBytes: 0)))
    }

    @Test func llmCallWithEveryField() {
        let call = H.llmCall(#","provider":"anthropic","input_tokens":1200,"output_tokens":300,"cached_input_tokens":200,"reasoning_tokens":100,"cost_usd":0.0042,"latency_ms":850,"ttft_ms":120,"status":"error","error_message":"overloaded","context_window":200000,"turn":2"#)
        #expect(call == Event.LLMCall(
            model: "m", provider: "anthropic", inputTokens: 1200, outputTokens: 300, cachedInputTokens: 200,
            reasoningTokens: 100, costNanos: 4_200_000, latencyMs: 850, ttftMs: 120, status: .error,
            errorMessage: "overloaded", contextWindow: 200_000, turn: 2))
    }

    @Test func llmCallNeedsModelAndDefaultsToSuccess() {
        #expect(H.llmCall("") == Event.LLMCall(model: "m", status: .success))
        #expect(H.reason(#"{"type":"llm_call","ts":0,"session_id":"s"}"#) == .missingField)
        #expect(H.reason(#"{"type":"llm_call","ts":0,"session_id":"s","model":null}"#) == .missingField)
        #expect(H.reason(#"{"type":"llm_call","ts":0,"session_id":"s","model":4}"#) == .wrongType)
        #expect(H.llmCall(#","status":"timeout""#)?.status == .timeout)
        #expect(H.llmCallReason(#","status":"ok""#) == .badEnum)
        #expect(H.llmCallReason(#","provider":["a"]"#) == .wrongType)
    }

    @Test func toolCallNeedsNameAndStatusAndKeepsResultSize() {
        let line = #"{"type":"tool_call","ts":0,"session_id":"s","tool_name":"search","status":"timeout","execution_time_ms":31000,"tool_call_id":"t1","parameters":{"q":"x"},"result":{"a": [1, 2]},"error_message":"slow","turn":4}"#
        #expect(H.event(line)?.payload == .toolCall(Event.ToolCall(
            toolName: "search", status: .timeout, executionTimeMs: 31_000, toolCallID: "t1",
            resultBytes: 13, errorMessage: "slow", turn: 4)))
        let base = #"{"type":"tool_call","ts":0,"session_id":"s""#
        #expect(H.reason(base + #","status":"success"}"#) == .missingField)
        #expect(H.reason(base + #","tool_name":"t"}"#) == .missingField)
        #expect(H.reason(base + #","tool_name":"t","status":"done"}"#) == .badEnum)
        #expect(H.reason(base + #","tool_name":"t","status":"success","execution_time_ms":"5"}"#) == .wrongType)
        // result: size of its JSON text as written, quotes included; null is absent.
        let string = H.event(base + #","tool_name":"t","status":"success","result":"ok"}"#)
        #expect(string?.payload == .toolCall(Event.ToolCall(toolName: "t", status: .success, resultBytes: 4)))
        let none = H.event(base + #","tool_name":"t","status":"success","result":null}"#)
        #expect(none?.payload == .toolCall(Event.ToolCall(toolName: "t", status: .success)))
    }

    @Test func logNeedsLevelAndMessageButNoSession() {
        let event = H.event(#"{"type":"log","ts":0,"level":"warn","message":"disk 91%","process_id":"p-7"}"#)
        #expect(event == Event(timestamp: 0, sessionID: nil,
                               payload: .log(Event.Log(level: .warn, message: "disk 91%", processID: "p-7"))))
        #expect(H.event(#"{"type":"log","ts":0,"session_id":"s","level":"debug","message":""}"#)?.sessionID == "s")
        #expect(H.reason(#"{"type":"log","ts":0,"message":"m"}"#) == .missingField)
        #expect(H.reason(#"{"type":"log","ts":0,"level":"info"}"#) == .missingField)
        #expect(H.reason(#"{"type":"log","ts":0,"level":"fatal","message":"m"}"#) == .badEnum)
        #expect(H.reason(#"{"type":"log","ts":0,"level":"info","message":"m","session_id":""}"#) == .outOfRange)
        // 1.1: an OS process id, as most loggers write it, is an integer; kept as its decimal text.
        #expect(H.event(#"{"type":"log","ts":0,"level":"info","message":"m","process_id":26980}"#)?.payload
                == .log(Event.Log(level: .info, message: "m", processID: "26980")))
        #expect(H.reason(#"{"type":"log","ts":0,"level":"info","message":"m","process_id":true}"#) == .wrongType)
        #expect(H.reason(#"{"type":"log","ts":0,"level":"info","message":"m","process_id":26.5}"#) == .wrongType)
    }

    @Test func feedbackRatingSentimentAndComment() {
        let event = H.event(#"{"type":"feedback","ts":0,"session_id":"s","rating":4.5,"sentiment":"positive","comment":"nice","message_id":"m9"}"#)
        #expect(event?.payload == .feedback(Event.Feedback(rating: 4.5, sentiment: .positive, messageID: "m9")))
        #expect(H.event(#"{"type":"feedback","ts":0,"session_id":"s"}"#)?.payload == .feedback(Event.Feedback()))
        let base = #"{"type":"feedback","ts":0,"session_id":"s","#
        #expect(H.event(base + #""rating":1}"#)?.payload == .feedback(Event.Feedback(rating: 1)))
        #expect(H.event(base + #""rating":5e0}"#)?.payload == .feedback(Event.Feedback(rating: 5)))
        #expect(H.reason(base + #""rating":0.99}"#) == .outOfRange)
        #expect(H.reason(base + #""rating":5.01}"#) == .outOfRange)
        #expect(H.reason(base + #""rating":"5"}"#) == .wrongType)
        #expect(H.reason(base + #""sentiment":"happy"}"#) == .badEnum)
        #expect(H.reason(base + #""comment":5}"#) == .wrongType)
    }

    @Test func accessNeedsOutcome() {
        let event = H.event(#"{"type":"access","ts":0,"session_id":"s","outcome":"rate_limited","ip_address":"10.0.0.1"}"#)
        #expect(event?.payload == .access(Event.Access(outcome: .rateLimited, ipAddress: "10.0.0.1")))
        #expect(H.reason(#"{"type":"access","ts":0,"session_id":"s"}"#) == .missingField)
        #expect(H.reason(#"{"type":"access","ts":0,"session_id":"s","outcome":"blocked"}"#) == .badEnum)
        #expect(H.reason(#"{"type":"access","ts":0,"session_id":"s","outcome":true}"#) == .wrongType)
    }

    @Test func everyTypeButLogNeedsASessionID() {
        let extras = [
            "session_start": "", "session_end": #","status":"completed""#, "message": #","role":"user""#,
            "llm_call": #","model":"m""#, "tool_call": #","tool_name":"t","status":"success""#,
            "feedback": "", "access": #","outcome":"allowed""#,
        ]
        for (type, members) in extras {
            #expect(H.reason(#"{"type":"\#(type)","ts":0\#(members)}"#) == .missingField, "\(type)")
            #expect(H.event(#"{"type":"\#(type)","ts":0,"session_id":"s"\#(members)}"#)?.kind.name == type)
        }
    }
}
