import Testing
@testable import TallyCore

/// `EventDecoder.keepsUnfoldedText` and the sharing of repeated texts between lines.
@Suite struct UnfoldedTextTests {
    static let lines = [
        #"{"type":"llm_call","ts":1,"session_id":"sess_9294209267bf29f3","model":"claude-sonnet-4-5-20250929","provider":"anthropic","status":"error","error_message":"upstream returned 529 overloaded"}"#,
        #"{"type":"tool_call","ts":2,"session_id":"sess_9294209267bf29f3","tool_name":"get_session_metrics","status":"success","tool_call_id":"call_0123456789abcdef","error_message":"none"}"#,
        #"{"type":"message","ts":3,"session_id":"sess_9294209267bf29f3","role":"user","message_id":"msg_ee73ebf9ab6a3a2c"}"#,
        #"{"type":"feedback","ts":4,"session_id":"s","rating":5,"message_id":"msg_ee73ebf9ab6a3a2c"}"#,
        #"{"type":"log","ts":5,"level":"info","message":"connection pool metrics-db: 12 of 50 in use","process_id":"chat-api-2"}"#,
        #"{"type":"access","ts":6,"session_id":"s","outcome":"denied","ip_address":"198.51.100.188"}"#,
        #"{"type":"session_end","ts":7,"session_id":"sess_9294209267bf29f3","status":"failed","error_message":"the model stopped answering"}"#,
        #"{"type":"session_start","ts":8,"session_id":"sess_9294209267bf29f3","project_id":"proj_massive-dynamic_billing-assistant","user_id":"user_\u00e9"}"#,
    ]

    private func decodeAll(_ lines: [String], keeping: Bool) -> [DecodeResult] {
        var decoder = EventDecoder(keepsUnfoldedText: keeping)
        return lines.map { decoder.decode(Array($0.utf8)) }
    }

    @Test func unfoldedTextsArePresentButEmptyAndFoldedTextsAreKept() {
        let events = decodeAll(Self.lines, keeping: false).map { result -> Event? in
            if case .event(let event) = result { return event }
            return nil
        }
        guard case .llmCall(let call)? = events[0]?.payload,
            case .toolCall(let tool)? = events[1]?.payload,
            case .message(let message)? = events[2]?.payload,
            case .feedback(let feedback)? = events[3]?.payload,
            case .log(let log)? = events[4]?.payload,
            case .access(let access)? = events[5]?.payload,
            case .sessionEnd(let end)? = events[6]?.payload
        else {
            Issue.record("not decoded: \(events)")
            return
        }
        // A failed call keeps its message: error groups read it.
        #expect(call.model == "claude-sonnet-4-5-20250929" && call.provider == ""
                && call.errorMessage == "upstream returned 529 overloaded")
        #expect(tool.toolName == "get_session_metrics" && tool.toolCallID == "" && tool.errorMessage == "")
        #expect(message.messageID == "" && feedback.messageID == "")
        #expect(log.message == "" && log.processID == "" && access.ipAddress == "")
        #expect(end.errorMessage == "the model stopped answering")
        #expect(events[7]?.context.projectID == "proj_massive-dynamic_billing-assistant")
        #expect(events[7]?.context.userID == "user_é")
        #expect(events.allSatisfy { $0?.sessionID == "sess_9294209267bf29f3" || $0?.sessionID == "s" || $0?.kind == .log })

        let kept = decodeAll(Self.lines, keeping: true)
        guard case .event(let keptLog) = kept[4], case .log(let fullLog) = keptLog.payload else {
            Issue.record("log not decoded")
            return
        }
        #expect(fullLog.message == "connection pool metrics-db: 12 of 50 in use" && fullLog.processID == "chat-api-2")
        // Only the unfolded texts differ.
        #expect(zip(kept, decodeAll(Self.lines, keeping: false)).filter { $0.0 != $0.1 }.count == 6)
    }

    @Test func unfoldedTextsAreValidatedAsWhenKept() {
        let faulty = [
            #"{"type":"log","ts":5,"level":"info","process_id":"p"}"#,           // missing message
            #"{"type":"log","ts":5,"level":"info","message":7}"#,                  // message not a string
            #"{"type":"message","ts":3,"session_id":"s","role":"user","message_id":1}"#,
            #"{"type":"llm_call","ts":1,"session_id":"s","model":"m","provider":true}"#,
            #"{"type":"llm_call","ts":1,"session_id":"s","model":"m","error_message":[],"context_window":0}"#,
            #"{"type":"tool_call","ts":2,"session_id":"s","tool_name":"t","status":"success","tool_call_id":{},"turn":-1}"#,
            #"{"type":"access","ts":6,"session_id":"s","outcome":"nope","ip_address":1}"#,
            #"{"type":"feedback","ts":4,"session_id":"s","rating":9,"message_id":2}"#,
        ]
        let expected: [InvalidReason] = [
            .missingField, .wrongType, .wrongType, .wrongType, .wrongType, .wrongType, .badEnum, .outOfRange,
        ]
        #expect(decodeAll(faulty, keeping: false) == expected.map { .invalid($0) })
        #expect(decodeAll(faulty, keeping: true) == expected.map { .invalid($0) })
    }

    @Test func repeatedTextsShareOneStringAndEqualTextsNeverMix() {
        let interner = StringInterner()
        func text(_ value: String) -> String {
            Array(value.utf8).withUnsafeBufferPointer { interner.string($0.baseAddress!, count: $0.count) }
        }
        let first = text("sess_9294209267bf29f3")
        let again = text("sess_9294209267bf29f3")
        #expect(first == "sess_9294209267bf29f3" && again == first)
        #expect(first.utf8.withContiguousStorageIfAvailable { $0.baseAddress }
            == again.utf8.withContiguousStorageIfAvailable { $0.baseAddress })
        // Many distinct texts (slots are replaced), each still read back exactly.
        let many = (0..<20_000).map { "session-number-\($0)-of-many" }
        for value in many + many.reversed() { #expect(text(value) == value) }
        #expect(text("short") == "short" && text("") == "")
    }
}
