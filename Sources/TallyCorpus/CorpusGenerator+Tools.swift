/// The MCP tool lines of a corpus: calls, their parameters and results.
extension CorpusGenerator {
    /// Writes the `tool_call` scheduled by `scheduleToolCall`; returns whether it failed.
    mutating func writeToolCall(_ s: inout SessionState, into buffer: inout [UInt8]) -> Bool {
        beginLine(.toolCall, "tool_call", &s, into: &buffer)
        buffer.write(#","tool_name":""#)
        buffer.write(Vocabulary.tools[s.tool])
        switch s.callStatus {
        case .success: buffer.write(#"","status":"success","execution_time_ms":"#)
        case .error: buffer.write(#"","status":"error","execution_time_ms":"#)
        case .timeout: buffer.write(#"","status":"timeout","execution_time_ms":"#)
        }
        buffer.writeDecimal(s.callLatency)
        buffer.write(#","tool_call_id":""#)
        buffer.write(Vocabulary.models[s.model].toolCallPrefix)
        buffer.writeHex(random.next(), digits: 16)
        buffer.writeHex(random.next(), digits: 8)
        buffer.write(#"","parameters":"#)
        writeToolParameters(&s, into: &buffer)
        switch s.callStatus {
        case .success:
            buffer.write(#","result":"#)
            let resultStart = buffer.count
            writeToolResult(&s, into: &buffer)
            s.contextTokens += Int64(buffer.count - resultStart) / 4 + 20
            if s.heavyContext { s.contextTokens += random.between(Int64(3_000), 20_000) }
        case .error:
            buffer.write(#","error_message":""#)
            buffer.write(Vocabulary.toolErrors[s.callError])
            buffer.write(#"""#)
        case .timeout:
            buffer.write(#","error_message":"tool timed out after 30 s""#)
        }
        buffer.write(#","turn":"#)
        buffer.writeDecimal(s.turn)
        buffer.write("}\n")
        return s.callStatus != .success
    }

    mutating func writeToolParameters(_ s: inout SessionState, into buffer: inout [UInt8]) {
        let org = s.user % Vocabulary.organizations.count
        switch s.tool {
        case 0:
            buffer.write(#"{"session_id":"sess_"#)
            buffer.writeHex(s.id, digits: 16)
            buffer.write(#"","include":["messages","tokens","latency"]}"#)
        case 1:
            buffer.write(#"{"org_id":""#)
            buffer.write(Vocabulary.organizations[org])
            buffer.write(#"","range":""#)
            buffer.write(Vocabulary.ranges[random.below(Vocabulary.ranges.count)])
            buffer.write(#"","group_by":"model"}"#)
        case 2:
            buffer.write(#"{"query":""#)
            buffer.write(Vocabulary.searchWords[random.below(Vocabulary.searchWords.count)])
            buffer.write(#"","limit":20,"range":""#)
            buffer.write(Vocabulary.ranges[random.below(Vocabulary.ranges.count)])
            buffer.write(#""}"#)
        case 3:
            buffer.write(#"{"project_id":""#)
            buffer.write(projectIDs[org][s.project])
            buffer.write(#"","limit":50}"#)
        case 4:
            buffer.write(#"{"range":"7d","persona_id":""#)
            buffer.write(Vocabulary.personas[s.user % Vocabulary.personas.count])
            buffer.write(#""}"#)
        case 5:
            buffer.write("{}")
        default:
            buffer.write(#"{"range":"30d","group_by":"project"}"#)
        }
    }

    mutating func writeToolResult(_ s: inout SessionState, into buffer: inout [UInt8]) {
        switch s.tool {
        case 0:
            buffer.write(#"{"messages":"#)
            buffer.writeDecimal(s.turn * 2 + 1)
            buffer.write(#","llm_calls":"#)
            buffer.writeDecimal(s.turn + 1)
            buffer.write(#","input_tokens":"#)
            buffer.writeDecimal(s.contextTokens)
            buffer.write(#","avg_response_ms":"#)
            buffer.writeDecimal(random.between(900, 12_000))
            buffer.write(#","status":"ACTIVE"}"#)
        case 1:
            buffer.write(#"{"rows":["#)
            let rows = random.between(1, 3)
            for row in 0..<rows {
                if row > 0 { buffer.write(",") }
                buffer.write(#"{"model":""#)
                buffer.write(Vocabulary.models[(s.model + row) % Vocabulary.models.count].name)
                buffer.write(#"","input_tokens":"#)
                buffer.writeDecimal(random.between(10_000, 40_000_000))
                buffer.write(#","output_tokens":"#)
                buffer.writeDecimal(random.between(2_000, 5_000_000))
                buffer.write("}")
            }
            buffer.write(#"],"cached_input_tokens":"#)
            buffer.writeDecimal(random.between(0, 9_000_000))
            buffer.write("}")
        case 2:
            buffer.write(#"{"total":"#)
            let hits = random.between(0, 4)
            buffer.writeDecimal(hits * 7 + random.below(7))
            buffer.write(#","took_ms":"#)
            buffer.writeDecimal(random.between(3, 900))
            buffer.write(#","hits":["#)
            for hit in 0..<hits {
                if hit > 0 { buffer.write(",") }
                buffer.write(#"{"message_id":"msg_"#)
                buffer.writeHex(random.next(), digits: 16)
                buffer.write(#"","score":0."#)
                buffer.writePadded(random.between(30, 99), digits: 2)
                buffer.write("}")
            }
            buffer.write("]}")
        case 3:
            buffer.write(#"{"count":"#)
            let shown = random.between(0, 6)
            buffer.writeDecimal(shown + random.below(30))
            buffer.write(#","session_ids":["#)
            for index in 0..<shown {
                if index > 0 { buffer.write(",") }
                buffer.write(#""sess_"#)
                buffer.writeHex(random.next(), digits: 16)
                buffer.write(#"""#)
            }
            buffer.write("]}")
        case 4:
            buffer.write(#"{"dau":"#)
            buffer.writeDecimal(random.between(20, 4_000))
            buffer.write(#","wau":"#)
            buffer.writeDecimal(random.between(100, 12_000))
            buffer.write(#","avg_turns":"#)
            buffer.writeDecimal(random.between(1, 12))
            buffer.write(".")
            buffer.writeDecimal(random.below(10))
            buffer.write(#","retention_d7":0."#)
            buffer.writePadded(random.between(10, 90), digits: 2)
            buffer.write("}")
        case 5:
            buffer.write(#"{"status":"ok","mcp_servers":4,"queue_depth":"#)
            buffer.writeDecimal(random.between(0, 900))
            buffer.write(#","p95_ms":"#)
            buffer.writeDecimal(random.between(120, 6_000))
            buffer.write(#","error_rate":0.00"#)
            buffer.writeDecimal(random.between(1, 9))
            buffer.write("}")
        default:
            buffer.write(#"{"total_usd":"#)
            buffer.writeFixedPoint(Int64(random.between(1_000, 900_000)), scale: 2)
            buffer.write(#","top":["#)
            let org = s.user % Vocabulary.organizations.count
            let rows = random.between(1, 3)
            for row in 0..<rows {
                if row > 0 { buffer.write(",") }
                buffer.write(#"{"key":""#)
                buffer.write(projectIDs[org][(s.project + row) % Vocabulary.projectNames.count])
                buffer.write(#"","usd":"#)
                buffer.writeFixedPoint(Int64(random.between(100, 50_000)), scale: 2)
                buffer.write("}")
            }
            buffer.write("]}")
        }
    }
}
