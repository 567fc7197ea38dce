/// Writing one event line of a session (`"\n"` included).
extension CorpusGenerator {
    /// SplitMix64's finalizer: turns a session id and a serial number into an id.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        SplitMix64.finalize(value &+ 0x9E37_79B9_7F4A_7C15)
    }

    /// `{"type":…,"ts":…,"session_id":…` with `event_id` and context as the session's producer writes them.
    mutating func beginLine(
        _ kind: LineKind, _ type: StaticString, _ s: inout SessionState, fullContext: Bool = false,
        into buffer: inout [UInt8]
    ) {
        let producer = Producer.all[s.producer]
        s.serial &+= 1
        current.kind = kind
        current.timestampStyle = producer.timestampStyle
        current.hasEventID = producer.eventIDs
        buffer.write(#"{"type":""#)
        buffer.write(type)
        buffer.write(#"","ts":"#)
        buffer.writeTimestamp(now, style: producer.timestampStyle, offsetMinutes: producer.offsetMinutes, micros: random.below(1000))
        buffer.write(#","session_id":"sess_"#)
        buffer.writeHex(s.id, digits: 16)
        if producer.eventIDs {
            buffer.write(#"","event_id":"evt_"#)
            buffer.writeHex(Self.mix(s.id ^ s.serial), digits: 16)
        }
        buffer.write(#"""#)
        if fullContext || producer.contextOnEveryEvent {
            buffer.write(#","user_id":"user_"#)
            buffer.writePadded(s.user, digits: 4)
            buffer.write(#"""#)
        }
        if fullContext {
            buffer.write(#","org_id":""#)
            buffer.write(Vocabulary.organizations[s.user % Vocabulary.organizations.count])
            buffer.write(#"""#)
            buffer.write(#","project_id":""#)
            buffer.write(projectIDs[s.user % Vocabulary.organizations.count][s.project])
            buffer.write(#"""#)
            if s.persona >= 0 {
                buffer.write(#","persona_id":""#)
                buffer.write(Vocabulary.personas[s.persona])
                buffer.write(#"""#)
            }
            if s.conversation != 0 {
                buffer.write(#","conversation_id":"conv_"#)
                buffer.writeHex(s.conversation, digits: 12)
                buffer.write(#"""#)
            }
        }
    }

    func writeIPAddress(user: Int, into buffer: inout [UInt8]) {
        switch user % 4 {
        case 0: buffer.write("192.0.2.")
        case 1: buffer.write("198.51.100.")
        case 2: buffer.write("203.0.113.")
        default:
            buffer.write("2001:db8::")
            buffer.writeHex(UInt64(user), digits: 4)
            return
        }
        buffer.writeDecimal(user % 254 + 1)
    }

    mutating func writeAccess(_ s: inout SessionState, outcome: StaticString, into buffer: inout [UInt8]) {
        beginLine(.access, "access", &s, into: &buffer)
        if !Producer.all[s.producer].contextOnEveryEvent {
            buffer.write(#","user_id":"user_"#)
            buffer.writePadded(s.user, digits: 4)
            buffer.write(#"""#)
        }
        buffer.write(#","outcome":""#)
        buffer.write(outcome)
        buffer.write(#"","ip_address":""#)
        writeIPAddress(user: s.user, into: &buffer)
        buffer.write("\"}\n")
    }

    mutating func writeSessionStart(_ s: inout SessionState, into buffer: inout [UInt8]) {
        beginLine(.sessionStart, "session_start", &s, fullContext: true, into: &buffer)
        let client = s.user % Vocabulary.clients.count
        buffer.write(#","metadata":{"user_agent":""#)
        buffer.write(Vocabulary.userAgents[(s.user / 3) % Vocabulary.userAgents.count])
        buffer.write(#"","ip_address":""#)
        writeIPAddress(user: s.user, into: &buffer)
        buffer.write(#"","device_info":""#)
        buffer.write(Vocabulary.devices[(s.user / 5) % Vocabulary.devices.count])
        buffer.write(#"","client":""#)
        buffer.write(Vocabulary.clients[client])
        buffer.write(#"","app_version":"2."#)
        buffer.writeDecimal(10 + s.user % 6)
        buffer.write(".")
        buffer.writeDecimal(s.user % 4)
        buffer.write("\"}}\n")
    }

    mutating func writeMessage(_ s: inout SessionState, role: StaticString, into buffer: inout [UInt8]) {
        beginLine(.message, "message", &s, into: &buffer)
        buffer.write(#","role":""#)
        buffer.write(role)
        buffer.write(#"","turn":"#)
        buffer.writeDecimal(s.turn)
        buffer.write(#","message_id":"msg_"#)
        let messageID = Self.mix(s.id &+ s.serial &* 31)
        buffer.writeHex(messageID, digits: 16)
        buffer.write(#"","content":""#)
        let contentStart = buffer.count
        switch role.utf8Start.pointee {
        case UInt8(ascii: "u"):
            let roll = random.unit()
            let length = roll < 0.68 ? random.between(15, 80) : roll < 0.95 ? random.between(80, 250) : random.between(250, 1_000)
            userText.write(length: length, random: &random, into: &buffer)
            s.contextTokens += Int64(buffer.count - contentStart) / 4
            if s.heavyContext { s.contextTokens += random.between(Int64(2_000), 15_000) }
        case UInt8(ascii: "a"):
            s.lastAssistantMessage = messageID
            let roll = random.unit()
            let length = roll < 0.62 ? random.between(40, 220) : roll < 0.94 ? random.between(220, 600) : random.between(600, 1_800)
            assistantText.write(length: length, random: &random, into: &buffer)
        case UInt8(ascii: "s"):
            buffer.write(Vocabulary.systemPrompt)
        default:
            buffer.write(Vocabulary.tools[s.tool])
            buffer.write(" returned ")
            buffer.writeDecimal(random.between(1, 40))
            buffer.write(" rows")
        }
        buffer.write("\"}\n")
    }

    mutating func writeLLMCall(_ s: inout SessionState, overflow: Bool, into buffer: inout [UInt8]) {
        let model = Vocabulary.models[s.model]
        let producer = Producer.all[s.producer]
        beginLine(.llmCall, "llm_call", &s, into: &buffer)
        buffer.write(#","model":""#)
        buffer.write(model.name)
        buffer.write(#"","provider":""#)
        buffer.write(model.provider)
        buffer.write(#"""#)
        let input = s.contextTokens
        if overflow {
            buffer.write(#","input_tokens":"#)
            buffer.writeDecimal(input)
            buffer.write(#","latency_ms":"#)
            buffer.writeDecimal(random.between(Int64(40), 400))
            buffer.write(#","status":"error","error_message":"context_length_exceeded: prompt is "#)
            buffer.writeDecimal(input)
            buffer.write(" tokens, limit is ")
            buffer.writeDecimal(model.contextWindow)
            buffer.write(#"""#)
        } else {
            switch s.callStatus {
            case .success:
                let cached: Int64 = model.caches && s.previousInput > 0 && random.chance(0.7)
                    ? min(s.previousInput, input) & ~63 : 0
                // A session's first call writes half its prompt to the prompt cache, where the model caches.
                let writes: Int64 = model.cacheWritePicos != nil && s.previousInput == 0 ? (input / 2) & ~63 : 0
                buffer.write(#","input_tokens":"#)
                buffer.writeDecimal(input)
                buffer.write(#","output_tokens":"#)
                buffer.writeDecimal(s.callOutput)
                if cached > 0 {
                    buffer.write(#","cached_input_tokens":"#)
                    buffer.writeDecimal(cached)
                }
                if s.callReasoning > 0 {
                    buffer.write(#","reasoning_tokens":"#)
                    buffer.writeDecimal(s.callReasoning)
                }
                if writes > 0 {
                    buffer.write(#","cache_write_input_tokens":"#)
                    buffer.writeDecimal(writes)
                }
                if model.reportsCost {
                    var prices = (input: model.inputPicos, output: model.outputPicos, cachedInput: model.cachedInputPicos)
                    if let change = model.priceChange, now >= change.from {
                        prices = (change.input, change.output, change.cachedInput)
                    }
                    let picos = (input - cached - writes) * prices.input + cached * prices.cachedInput
                        + writes * (model.cacheWritePicos ?? prices.input) + s.callOutput * prices.output
                    buffer.write(#","cost_usd":"#)
                    buffer.writeFixedPoint(picos / 1_000, scale: 9)
                }
                buffer.write(#","latency_ms":"#)
                buffer.writeDecimal(s.callLatency)
                buffer.write(#","ttft_ms":"#)
                buffer.writeDecimal(s.callTTFT)
                if producer.writesSuccessStatus { buffer.write(#","status":"success""#) }
            case .error:
                buffer.write(#","input_tokens":"#)
                buffer.writeDecimal(input)
                buffer.write(#","output_tokens":0"#)
                if model.reportsCost { buffer.write(#","cost_usd":0"#) }
                buffer.write(#","latency_ms":"#)
                buffer.writeDecimal(s.callLatency)
                buffer.write(#","status":"error","error_message":""#)
                buffer.write(Vocabulary.llmErrors[s.callError])
                buffer.write(#"""#)
            case .timeout:
                buffer.write(#","latency_ms":"#)
                buffer.writeDecimal(s.callLatency)
                buffer.write(#","status":"timeout","error_message":"request timed out after 60 s""#)
            }
        }
        if producer.contextWindow {
            buffer.write(#","context_window":"#)
            buffer.writeDecimal(model.contextWindow)
        }
        buffer.write(#","turn":"#)
        buffer.writeDecimal(s.turn)
        buffer.write("}\n")
    }

    mutating func writeSessionLog(_ s: inout SessionState, into buffer: inout [UInt8]) {
        let model = Vocabulary.models[s.model]
        beginLine(.log, "log", &s, into: &buffer)
        switch s.logTopic {
        case .toolFailed:
            buffer.write(#","level":"error","message":"tool "#)
            buffer.write(Vocabulary.tools[s.tool])
            if s.callStatus == .timeout {
                buffer.write(" timed out after 30 s")
            } else {
                buffer.write(" failed: ")
                buffer.write(Vocabulary.toolErrors[s.callError])
            }
        case .llmRetry:
            buffer.write(#","level":"warn","message":"llm call to "#)
            buffer.write(model.name)
            buffer.write(" failed, retry ")
            buffer.writeDecimal(s.retries)
            buffer.write(" in ")
            buffer.writeDecimal(s.retries * 2)
            buffer.write(" s: ")
            if s.callStatus == .timeout {
                buffer.write("request timed out after 60 s")
            } else {
                buffer.write(Vocabulary.llmErrors[s.callError])
            }
        case .compaction:
            buffer.write(#","level":"info","message":"context compacted from "#)
            buffer.writeDecimal(s.logValueA)
            buffer.write(" to ")
            buffer.writeDecimal(s.logValueB)
            buffer.write(" tokens")
        case .contextOverflow:
            buffer.write(#","level":"error","message":"prompt of "#)
            buffer.writeDecimal(s.logValueA)
            buffer.write(" tokens exceeds the context window of ")
            buffer.write(model.name)
            buffer.write(" (")
            buffer.writeDecimal(model.contextWindow)
            buffer.write(" tokens)")
        }
        buffer.write(#"","process_id":""#)
        buffer.write(Vocabulary.processes[Producer.all[s.producer].process % 3])
        buffer.write("\"}\n")
    }

    mutating func writeFeedback(_ s: inout SessionState, into buffer: inout [UInt8]) {
        beginLine(.feedback, "feedback", &s, into: &buffer)
        let rating = random.between(1, 5)
        buffer.write(#","rating":"#)
        buffer.writeDecimal(rating)
        if rating < 5, random.chance(0.1) { buffer.write(".5") }
        if random.chance(0.8) {
            buffer.write(rating >= 4 ? #","sentiment":"positive""# : rating == 3 ? #","sentiment":"neutral""# : #","sentiment":"negative""#)
        }
        if random.chance(0.4) {
            buffer.write(#","comment":""#)
            buffer.write(Vocabulary.feedbackComments[random.below(Vocabulary.feedbackComments.count)])
            buffer.write(#"""#)
        }
        buffer.write(#","message_id":"msg_"#)
        buffer.writeHex(s.lastAssistantMessage, digits: 16)
        buffer.write("\"}\n")
    }

    mutating func writeSessionEnd(_ s: inout SessionState, into buffer: inout [UInt8]) {
        beginLine(.sessionEnd, "session_end", &s, into: &buffer)
        switch s.ending {
        case .completed, .abandoned:
            current.endStatus = .completed
            buffer.write(#","status":"completed""#)
        case .cancelled:
            current.endStatus = .cancelled
            buffer.write(#","status":"cancelled""#)
            if random.chance(0.5) {
                buffer.write(#","error_message":""#)
                buffer.write(Vocabulary.cancelReasons[random.below(Vocabulary.cancelReasons.count)])
                buffer.write(#"""#)
            }
        case .timeout:
            current.endStatus = .timeout
            buffer.write(#","status":"timeout","error_message":"no activity for 30 minutes""#)
        case .failed:
            current.endStatus = .failed
            buffer.write(#","status":"failed","error_message":""#)
            switch s.failure {
            case .generic:
                buffer.write(Vocabulary.sessionFailures[s.failureDetail % Vocabulary.sessionFailures.count])
            case .llmErrors:
                buffer.write("LLM call failed 3 times: ")
                buffer.write(s.callStatus == .timeout ? Array("request timed out after 60 s".utf8) : Vocabulary.llmErrors[s.failureDetail])
            case .contextOverflow:
                buffer.write("context window exceeded")
            }
            buffer.write(#"""#)
        }
        buffer.write("}\n")
    }

    /// A `log` line of a back-end process, without `session_id`.
    mutating func writeSystemLog(into buffer: inout [UInt8]) {
        systemLogSerial &+= 1
        current.kind = .log
        current.timestampStyle = .utcMillis
        current.hasEventID = true
        let entry = Vocabulary.systemLogs[random.below(Vocabulary.systemLogs.count)]
        buffer.write(#"{"type":"log","ts":"#)
        buffer.writeTimestamp(now, style: .utcMillis, offsetMinutes: 0, micros: 0)
        buffer.write(#","event_id":"evt_"#)
        buffer.writeHex(Self.mix(configuration.seed ^ systemLogSerial ^ 0x5359_534C_4F47), digits: 16)
        buffer.write(#"","level":""#)
        buffer.write(entry.level)
        buffer.write(#"","message":""#)
        buffer.write(entry.message)
        buffer.write(#"","process_id":""#)
        buffer.write(Vocabulary.processes[random.below(Vocabulary.processes.count)])
        buffer.write("\"}\n")
    }
}
