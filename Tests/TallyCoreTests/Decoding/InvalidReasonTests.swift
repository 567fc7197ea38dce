import Testing
import TallyCore

/// One line per reason, and the documented order when a line has several faults.
@Suite struct InvalidReasonTests {
    typealias H = DecoderHarness

    @Test func lineLongerThanLimitIsTooLongBeforeAnyParsing() {
        let line = #"{"type":"session_start","ts":0,"session_id":"s"}"#  // 48 bytes
        #expect(H.decode(line, maxLineBytes: 47) == .invalid(.tooLong))
        #expect(H.decode("{{{{ not even json \u{FF}", maxLineBytes: 4) == .invalid(.tooLong))
        guard case .event = H.decode(line, maxLineBytes: 48) else {
            Issue.record("a line of exactly max_line_bytes is accepted")
            return
        }
    }

    @Test func invalidUTF8AnywhereInTheLine() {
        let prefix = Array(#"{"type":"session_start","ts":0,"session_id":"s","note":""#.utf8)
        let suffix = Array(#""}"#.utf8)
        #expect(H.decode(bytes: prefix + [0xC3] + suffix) == .invalid(.invalidUTF8))  // truncated sequence
        #expect(H.decode(bytes: prefix + [0xC0, 0xAF] + suffix) == .invalid(.invalidUTF8))  // overlong
        #expect(H.decode(bytes: prefix + [0xED, 0xA0, 0x80] + suffix) == .invalid(.invalidUTF8))  // surrogate
        #expect(H.decode(bytes: prefix + [0xF4, 0x90, 0x80, 0x80] + suffix) == .invalid(.invalidUTF8))  // > U+10FFFF
        #expect(H.decode(bytes: prefix + [0xFF] + suffix) == .invalid(.invalidUTF8))
        // Outside a string, and after a syntax error: still invalid_utf8, which ranks above not_json.
        #expect(H.decode(bytes: Array(#"{"type" x "#.utf8) + [0xFE]) == .invalid(.invalidUTF8))
        #expect(H.decode(bytes: [0x7B, 0x80, 0x7D]) == .invalid(.invalidUTF8))
        // Valid multi-byte text is fine.
        #expect(H.decode(bytes: prefix + Array("é€😀".utf8) + suffix) != .invalid(.invalidUTF8))
    }

    @Test func syntaxErrorsAreNotJSON() {
        let broken = [
            #"{"type":"session_start","ts":0,"session_id":"s""#,  // unterminated object
            #"{"type":"session_start","ts":0,"session_id":"s",}"#,  // trailing comma
            #"{"type":"session_start","ts":0,"session_id":"s"} x"#,  // trailing garbage
            #"{"type":"session_start","ts":0,"session_id":"s"}{}"#,
            #"{"type":"session_start","ts":01,"session_id":"s"}"#,  // leading zero
            #"{"type":"session_start","ts":0,"session_id":'s'}"#,
            #"{"type":"session_start","ts":0,"session_id":"s","x":tru}"#,
            #"{"type":"session_start","ts":0,"session_id":"s","x":1.}"#,
            #"{"type":"session_start","ts":0,"session_id":"s","x":-}"#,
            #"{"type":"session_start","ts":0,"session_id":"s","x":1e}"#,
            #"{"type":"session_start","ts":0,"session_id":"s","x":"a\qb"}"#,  // bad escape
            #"{"type":"session_start","ts":0,"session_id":"s","x":"\u12G4"}"#,
            "{\"type\":\"session_start\",\"ts\":0,\"session_id\":\"s\",\"x\":\"tab\there\"}",  // raw control byte
            #"{type:"session_start"}"#,
            "{",
            "x",
        ]
        for line in broken {
            #expect(H.reason(line) == .notJSON, "\(line)")
        }
    }

    @Test func syntaxErrorNestedInSkippedValuesIsNotJSONEvenAfterType() {
        let base = #"{"type":"tool_call","ts":0,"session_id":"s","tool_name":"t","status":"success""#
        #expect(H.reason(base + #","parameters":{"a":[1,2,}]}}"#) == .notJSON)
        #expect(H.reason(base + #","result":{"a" 1}}"#) == .notJSON)
        #expect(H.reason(base + #","result":[1 2]}"#) == .notJSON)
        #expect(H.reason(base + #","result":{"a":[1,2]]}}"#) == .notJSON)
        #expect(H.reason(base + #","unknown":{"deep":[[[{"x":nul}]]]}}"#) == .notJSON)
        #expect(H.reason(base + #","metadata":{"a":1,}}"#) == .notJSON)
        // The same shapes, well formed, decode.
        #expect(H.event(base + #","parameters":{"a":[1,2,{}],"b":[]},"unknown":{"deep":[[[{"x":null}]]]}}"#) != nil)
    }

    @Test func loneSurrogateEscapesAreNotJSON() {
        let base = #"{"type":"session_start","ts":0,"session_id":"s","note":"#
        #expect(H.reason(base + #""\ud83d"}"#) == .notJSON)
        #expect(H.reason(base + #""\ude00x"}"#) == .notJSON)
        #expect(H.reason(base + #""\ud83d\u0041"}"#) == .notJSON)
        #expect(H.event(base + #""\ud83d\ude00"}"#) != nil)
    }

    @Test func validJSONThatIsNotAnObjectIsNotObject() {
        for line in [#"[]"#, #"[{"type":"log"}]"#, #""session_start""#, "42", "-1.5e3", "true", "null", " [1, [2, {}]] "] {
            #expect(H.reason(line) == .notObject, "\(line)")
        }
        #expect(H.reason("[1,]") == .notJSON)
    }

    @Test func typeMissingOrNullIsMissingType() {
        #expect(H.reason(#"{"ts":0,"session_id":"s"}"#) == .missingType)
        #expect(H.reason(#"{"type":null,"ts":0,"session_id":"s"}"#) == .missingType)
        #expect(H.reason("{}") == .missingType)
    }

    @Test func typeNotInTheContractIsUnknownType() {
        #expect(H.reason(#"{"type":"session_begin","ts":0,"session_id":"s"}"#) == .unknownType)
        #expect(H.reason(#"{"type":"Message","ts":0,"session_id":"s"}"#) == .unknownType)
        #expect(H.reason(#"{"type":"","ts":0,"session_id":"s"}"#) == .unknownType)
        #expect(H.reason(#"{"type":7,"ts":0,"session_id":"s"}"#) == .unknownType)
        #expect(H.reason(#"{"type":["log"],"ts":0,"session_id":"s"}"#) == .unknownType)
    }

    @Test func missingRequiredFieldIsMissingField() {
        #expect(H.reason(#"{"type":"session_start","session_id":"s"}"#) == .missingField)  // ts
        #expect(H.reason(#"{"type":"session_start","ts":0}"#) == .missingField)  // session_id
        #expect(H.reason(#"{"type":"session_start","ts":0,"session_id":null}"#) == .missingField)
    }

    @Test func unparsableTimestampIsBadTs() {
        #expect(H.timestampReason(#""yesterday""#) == .badTimestamp)
    }

    @Test func wrongJSONTypeIsWrongType() {
        #expect(H.reason(#"{"type":"session_start","ts":0,"session_id":5}"#) == .wrongType)
        #expect(H.reason(#"{"type":"session_start","ts":true,"session_id":"s"}"#) == .wrongType)
    }

    @Test func valueOutsideItsRangeIsOutOfRange() {
        #expect(H.llmCallReason(#","input_tokens":-1"#) == .outOfRange)
    }

    @Test func valueOutsideItsEnumerationIsBadEnum() {
        #expect(H.reason(#"{"type":"session_end","ts":0,"session_id":"s","status":"done"}"#) == .badEnum)
    }

    @Test func severalFaultsGiveTheFirstReasonInTheDocumentedOrder() {
        // not_json wins over everything the fields would say.
        #expect(H.reason(#"{"type":"nope","ts":"x" "#) == .notJSON)
        // missing_type before unknown fields faults.
        #expect(H.reason(#"{"ts":"bad","session_id":5}"#) == .missingType)
        // unknown_type before field faults.
        #expect(H.reason(#"{"type":"nope","session_id":5}"#) == .unknownType)
        // ts is checked before session_id.
        #expect(H.reason(#"{"type":"message","session_id":5,"role":"x"}"#) == .missingField)
        #expect(H.reason(#"{"type":"message","ts":"bad","session_id":5,"role":"x"}"#) == .badTimestamp)
        // session_id before the type's own fields.
        #expect(H.reason(#"{"type":"message","ts":0,"session_id":5,"role":"x"}"#) == .wrongType)
        // Context ids before the type's own fields.
        #expect(H.reason(#"{"type":"message","ts":0,"session_id":"s","user_id":1}"#) == .wrongType)
        // Within a type, the contract's field order: role before turn.
        #expect(H.reason(#"{"type":"message","ts":0,"session_id":"s","turn":-1,"role":"x"}"#) == .badEnum)
        #expect(H.reason(#"{"type":"message","ts":0,"session_id":"s","turn":-1,"role":"user"}"#) == .outOfRange)
    }

    @Test func duplicateKeysCountWithTheirLastValue() {
        let event = H.event(#"{"type":"message","type":"log","ts":0,"level":"info","message":"m"}"#)
        #expect(event?.kind == .log)
        #expect(H.reason(#"{"type":"session_start","ts":0,"session_id":"s","session_id":7}"#) == .wrongType)
        #expect(H.event(#"{"type":"session_start","ts":0,"session_id":7,"session_id":"s2"}"#)?.sessionID == "s2")
    }

    @Test func emptyAndWhiteSpaceLinesAreBlank() {
        #expect(H.decode("") == .blank)
        #expect(H.decode("   ") == .blank)
        #expect(H.decode(" \t\r") == .blank)
        #expect(H.decode(" \t x") == .invalid(.notJSON))
    }

    @Test func whiteSpaceAroundTokensAndCarriageReturnAreAllowed() {
        let line = " {\t\"type\" : \"session_start\" ,\"ts\" :\n0 , \"session_id\": \"s\" } \r"
        #expect(H.event(line) == Event(timestamp: 0, sessionID: "s", payload: .sessionStart))
    }
}
