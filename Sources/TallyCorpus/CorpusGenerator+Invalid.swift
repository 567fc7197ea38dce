/// Why an invalid line is invalid (the contract's reason names).
enum InvalidLineReason: UInt8, CaseIterable {
    case tooLong, invalidUTF8, notJSON, notObject, missingType, unknownType, missingField, badTimestamp
    case wrongType, outOfRange, badEnum

    var name: String {
        switch self {
        case .tooLong: "too_long"
        case .invalidUTF8: "invalid_utf8"
        case .notJSON: "not_json"
        case .notObject: "not_object"
        case .missingType: "missing_type"
        case .unknownType: "unknown_type"
        case .missingField: "missing_field"
        case .badTimestamp: "bad_ts"
        case .wrongType: "wrong_type"
        case .outOfRange: "out_of_range"
        case .badEnum: "bad_enum"
        }
    }
}

/// Lines that break the contract in exactly one way each, so a fold's count by reason
/// can be checked against `CorpusStatistics.invalidByReason`.
extension CorpusGenerator {
    mutating func writeInvalidLine(into buffer: inout [UInt8]) -> InvalidLineReason {
        let first = configuration.includeTooLong ? 0 : 1
        let reason = InvalidLineReason(rawValue: UInt8(random.between(first, InvalidLineReason.allCases.count - 1)))!
        let session = sessions[random.below(sessions.count)].id
        let variant = random.below(8)
        switch reason {
        case .tooLong:
            let start = buffer.count
            writeInvalidPrefix("message", session: session, into: &buffer)
            buffer.write(#","role":"user","content":""#)
            let target = start + configuration.tooLongBytes - 3
            while buffer.count < target {
                assistantText.writeExcerpt(length: min(4_000, target - buffer.count), random: &random, into: &buffer)
                buffer.write(" ")
            }
            buffer.write("\"}")

        case .invalidUTF8:
            writeInvalidPrefix("message", session: session, into: &buffer)
            buffer.write(#","role":"user","content":"Caf"#)
            switch variant % 4 {
            case 0: buffer.append(contentsOf: [0xC3, 0x28])              // bad continuation
            case 1: buffer.append(contentsOf: [0xFF, 0xFE])              // never valid
            case 2: buffer.append(contentsOf: [0xE2, 0x82])              // truncated sequence
            default: buffer.append(contentsOf: [0xC0, 0xAF])             // overlong encoding
            }
            buffer.write(#" au lait, s'il vous pla\u00eet""}"#)

        case .notJSON:
            switch variant % 4 {
            case 0:
                // A torn write: the producer died mid-line.
                writeInvalidPrefix("message", session: session, into: &buffer)
                buffer.write(#","role":"user","content":"How many sessions fail"#)
            case 1:
                buffer.write("2025-10-23 14:30:00,123 ERROR [chat-api-2] Traceback (most recent call last): KeyError: 'usage'")
            case 2:
                writeInvalidPrefix("log", session: session, into: &buffer)
                buffer.write(#","level":"info" "message":"worker ready"}"#)
            default:
                buffer.write(#"{'type': 'message', 'session_id': 'sess_"#)
                buffer.writeHex(session, digits: 16)
                buffer.write(#"', 'role': 'user'}"#)
            }

        case .notObject:
            switch variant % 4 {
            case 0:
                buffer.write(#"["message","#)
                buffer.writeTimestamp(now, style: .utcMillis, offsetMinutes: 0, micros: 0)
                buffer.write(#","sess_"#)
                buffer.writeHex(session, digits: 16)
                buffer.write(#""]"#)
            case 1: buffer.write(#""session_start""#)
            case 2: buffer.write("42")
            default: buffer.write("null")
            }

        case .missingType:
            buffer.write(#"{"ts":"#)
            buffer.writeTimestamp(now, style: .utcMillis, offsetMinutes: 0, micros: 0)
            buffer.write(#","session_id":"sess_"#)
            buffer.writeHex(session, digits: 16)
            buffer.write(#"","role":"user","content":"hello?"}"#)

        case .unknownType:
            let types: [StaticString] = ["heartbeat", "span", "Message", "tool_result"]
            writeInvalidPrefix(types[variant % 4], session: session, into: &buffer)
            buffer.write(#","detail":"emitted by an old SDK"}"#)

        case .missingField:
            switch variant {
            case 0:
                writeInvalidPrefix("message", session: session, into: &buffer)
                buffer.write(#","turn":2,"content":"and for last week?"}"#)
            case 1:
                writeInvalidPrefix("tool_call", session: session, into: &buffer)
                buffer.write(#","tool_name":"get_token_usage","execution_time_ms":120}"#)
            case 2:
                writeInvalidPrefix("session_end", session: session, into: &buffer)
                buffer.write("}")
            case 3:
                writeInvalidPrefix("llm_call", session: session, into: &buffer)
                buffer.write(#","input_tokens":1200,"output_tokens":300}"#)
            case 4:
                buffer.write(#"{"type":"message","session_id":"sess_"#)
                buffer.writeHex(session, digits: 16)
                buffer.write(#"","role":"user","content":"no timestamp here"}"#)
            case 5:
                buffer.write(#"{"type":"llm_call","ts":"#)
                buffer.writeTimestamp(now, style: .utcMillis, offsetMinutes: 0, micros: 0)
                buffer.write(#","model":"gpt-4o-mini","input_tokens":812}"#)
            case 6:
                writeInvalidPrefix("access", session: session, into: &buffer)
                buffer.write(#","ip_address":"198.51.100.9"}"#)
            default:
                buffer.write(#"{"type":"log","ts":"#)
                buffer.writeTimestamp(now, style: .utcMillis, offsetMinutes: 0, micros: 0)
                buffer.write(#","level":"warn"}"#)
            }

        case .badTimestamp:
            buffer.write(#"{"type":"message","ts":""#)
            switch variant % 5 {
            case 0: buffer.write("2025-10-23 14:30:00")
            case 1: buffer.write("2025-10-23T14:30:00.123")
            case 2: buffer.write("yesterday")
            case 3: break
            default: buffer.write("2025-13-40T25:61:00Z")
            }
            buffer.write(#"","session_id":"sess_"#)
            buffer.writeHex(session, digits: 16)
            buffer.write(#"","role":"assistant","content":"Done."}"#)

        case .wrongType:
            switch variant % 6 {
            case 0:
                writeInvalidPrefix("llm_call", session: session, into: &buffer)
                buffer.write(#","model":"gpt-4o-mini","input_tokens":12.0,"output_tokens":30}"#)
            case 1:
                writeInvalidPrefix("message", session: session, into: &buffer)
                buffer.write(#","role":"user","turn":"3","content":"next"}"#)
            case 2:
                writeInvalidPrefix("session_start", session: session, into: &buffer)
                buffer.write(#","user_id":42}"#)
            case 3:
                writeInvalidPrefix("tool_call", session: session, into: &buffer)
                buffer.write(#","tool_name":"search_messages","status":"success","execution_time_ms":"850"}"#)
            case 4:
                buffer.write(#"{"type":"message","ts":"#)
                buffer.writeTimestamp(now, style: .utcMillis, offsetMinutes: 0, micros: 0)
                buffer.write(#","session_id":12345,"role":"user"}"#)
            default:
                writeInvalidPrefix("llm_call", session: session, into: &buffer)
                buffer.write(#","model":"claude-sonnet-4-5","latency_ms":true}"#)
            }

        case .outOfRange:
            switch variant % 7 {
            case 0:
                writeInvalidPrefix("llm_call", session: session, into: &buffer)
                buffer.write(#","model":"gpt-4.1","input_tokens":900,"output_tokens":-5}"#)
            case 1:
                writeInvalidPrefix("llm_call", session: session, into: &buffer)
                buffer.write(#","model":"claude-3-5-haiku-20241022","input_tokens":100,"cached_input_tokens":500,"output_tokens":20}"#)
            case 2:
                writeInvalidPrefix("llm_call", session: session, into: &buffer)
                buffer.write(#","model":"o4-mini","input_tokens":100,"reasoning_tokens":64}"#)
            case 3:
                writeInvalidPrefix("feedback", session: session, into: &buffer)
                buffer.write(#","rating":7}"#)
            case 4:
                writeInvalidPrefix("tool_call", session: session, into: &buffer)
                buffer.write(#","tool_name":"get_system_health","status":"success","execution_time_ms":-1}"#)
            case 5:
                writeInvalidPrefix("llm_call", session: session, into: &buffer)
                buffer.write(#","model":"gpt-4o-mini","input_tokens":10,"output_tokens":5,"context_window":0}"#)
            default:
                writeInvalidPrefix("llm_call", session: session, into: &buffer)
                buffer.write(#","model":"claude-sonnet-4-5","input_tokens":10,"output_tokens":5,"cost_usd":-0.01}"#)
            }

        case .badEnum:
            switch variant % 7 {
            case 0:
                writeInvalidPrefix("session_end", session: session, into: &buffer)
                buffer.write(#","status":"done"}"#)
            case 1:
                writeInvalidPrefix("message", session: session, into: &buffer)
                buffer.write(#","role":"bot","content":"hi"}"#)
            case 2:
                writeInvalidPrefix("tool_call", session: session, into: &buffer)
                buffer.write(#","tool_name":"analyze_costs","status":"ok"}"#)
            case 3:
                writeInvalidPrefix("log", session: session, into: &buffer)
                buffer.write(#","level":"fatal","message":"out of memory"}"#)
            case 4:
                writeInvalidPrefix("access", session: session, into: &buffer)
                buffer.write(#","outcome":"blocked"}"#)
            case 5:
                writeInvalidPrefix("feedback", session: session, into: &buffer)
                buffer.write(#","rating":2,"sentiment":"angry"}"#)
            default:
                writeInvalidPrefix("llm_call", session: session, into: &buffer)
                buffer.write(#","model":"gpt-4.1","status":"failed"}"#)
            }
        }
        buffer.write("\n")
        return reason
    }

    /// `{"type":"<type>","ts":"<now>","session_id":"sess_…"` (no closing brace).
    mutating func writeInvalidPrefix(_ type: StaticString, session: UInt64, into buffer: inout [UInt8]) {
        buffer.write(#"{"type":""#)
        buffer.write(type)
        buffer.write(#"","ts":"#)
        buffer.writeTimestamp(now, style: .utcMillis, offsetMinutes: 0, micros: 0)
        buffer.write(#","session_id":"sess_"#)
        buffer.writeHex(session, digits: 16)
        buffer.write(#"""#)
    }
}
