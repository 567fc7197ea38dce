/// The life of a session: which event comes next, and when.
extension CorpusGenerator {
    static let userCount = 600
    /// Users who now and then hammer the gateway: bursts of denied or rate-limited access.
    static func isBurstProne(user: Int) -> Bool { user % 31 == 7 }

    mutating func newSession(at time: Int64) -> SessionState {
        let user = random.below(Self.userCount)
        var s = SessionState(
            id: random.next(), nextAt: time,
            producer: Choices.producer.pick(&random), model: Choices.model.pick(&random),
            user: user, project: (user / 7 + random.below(2)) % Vocabulary.projectNames.count,
            persona: random.chance(0.7) ? user % Vocabulary.personas.count : -1,
            conversation: random.chance(0.6) ? random.next() : 0)
        let endRoll = random.unit()
        s.ending = endRoll < 0.70 ? .completed
            : endRoll < 0.76 ? .failed
            : endRoll < 0.82 ? .cancelled
            : endRoll < 0.87 ? .timeout
            : .abandoned
        let turnsRoll = random.unit()
        s.plannedTurns = turnsRoll < 0.40 ? random.between(1, 3)
            : turnsRoll < 0.75 ? random.between(4, 8)
            : turnsRoll < 0.95 ? random.between(9, 20)
            : random.between(21, 60)
        s.failureDetail = random.below(Vocabulary.sessionFailures.count)
        s.heavyContext = random.chance(0.08)
        if s.heavyContext { s.plannedTurns = max(s.plannedTurns, random.between(12, 40)) }
        s.compacts = random.chance(0.5)
        s.logsSystemPrompt = random.chance(0.25)
        s.extendedThinking = Vocabulary.models[s.model].reasoning == .always
            || (Vocabulary.models[s.model].reasoning == .sometimes && random.chance(0.3))
        s.contextTokens = random.between(Int64(600), 4_000)
        if Self.isBurstProne(user: user), random.chance(0.6) {
            s.phase = .accessBurst
            s.burstLeft = random.between(6, 14)
            s.continuesAfterBurst = random.chance(0.5)
        } else {
            s.phase = random.chance(0.35) ? .accessGate : .start
        }
        if configuration.shortSessions {
            s.plannedTurns = 1
            s.heavyContext = false
            s.logsSystemPrompt = false
            s.phase = .start
        }
        return s
    }

    /// Writes the next event of the session in `slot` (its `nextAt` is `now`) and schedules the one after.
    mutating func step(slot: Int, into buffer: inout [UInt8]) {
        var s = sessions[slot]
        switch s.phase {
        case .accessBurst:
            writeAccess(&s, outcome: random.chance(0.6) ? "denied" : "rate_limited", into: &buffer)
            s.burstLeft -= 1
            if s.burstLeft > 0 {
                s.nextAt = now + random.between(Int64(500), 40_000)
            } else if s.continuesAfterBurst {
                s.phase = .accessGate
                s.nextAt = now + random.between(Int64(5_000), 120_000)
            } else {
                s = newSession(at: now + random.between(Int64(0), 60_000))
            }

        case .accessGate:
            writeAccess(&s, outcome: "allowed", into: &buffer)
            s.phase = .start
            s.nextAt = now + random.between(Int64(10), 200)

        case .start:
            writeSessionStart(&s, into: &buffer)
            s.phase = s.logsSystemPrompt ? .systemMessage : .userMessage
            s.nextAt = now + (s.logsSystemPrompt ? random.between(Int64(2), 30) : random.between(Int64(300), 4_000))

        case .systemMessage:
            writeMessage(&s, role: "system", into: &buffer)
            s.phase = .userMessage
            s.nextAt = now + random.between(Int64(500), 8_000)

        case .userMessage:
            s.userMessageAt = now
            writeMessage(&s, role: "user", into: &buffer)
            let lastTurn = s.turn + 1 >= s.plannedTurns
            if lastTurn, s.ending == .cancelled {
                s.phase = .end
                s.nextAt = now + random.between(Int64(800), 20_000)
                break
            }
            let roundsRoll = random.unit()
            s.toolRoundsLeft = configuration.shortSessions ? 0
                : roundsRoll < 0.40 ? 0 : roundsRoll < 0.75 ? 1 : roundsRoll < 0.95 ? 2 : 3
            s.retries = 0
            scheduleLLMCall(&s, from: now)

        case .llmCall:
            let overflow = s.contextTokens > Vocabulary.models[s.model].contextWindow
            writeLLMCall(&s, overflow: overflow, into: &buffer)
            afterLLMCall(&s, overflow: overflow)

        case .toolCall:
            let failed = writeToolCall(&s, into: &buffer)
            s.toolCallsLeft -= 1
            let next: SessionState.Phase
            let nextAt: Int64
            if s.toolCallsLeft > 0 {
                next = .toolCall
                nextAt = now + random.between(Int64(1), 40)
            } else if Producer.all[s.producer].toolMessages {
                next = .toolMessage
                nextAt = now + random.between(Int64(1), 15)
            } else {
                next = .llmCall
                nextAt = now
            }
            if failed {
                s.logTopic = .toolFailed
                s.resumePhase = next
                s.resumeAt = nextAt + 3
                s.phase = .sessionLog
                s.nextAt = now + random.between(Int64(1), 3)
            } else {
                enter(next, at: nextAt, &s)
            }

        case .toolMessage:
            writeMessage(&s, role: "tool", into: &buffer)
            scheduleLLMCall(&s, from: now)

        case .sessionLog:
            writeSessionLog(&s, into: &buffer)
            enter(s.resumePhase, at: max(s.resumeAt, now + 1), &s)

        case .assistantMessage:
            writeMessage(&s, role: "assistant", into: &buffer)
            s.turn += 1
            if !configuration.shortSessions, random.chance(0.08) {
                s.phase = .feedback
                s.nextAt = now + random.between(Int64(4_000), 60_000)
            } else {
                afterTurn(&s)
            }

        case .feedback:
            writeFeedback(&s, into: &buffer)
            afterTurn(&s)

        case .end:
            writeSessionEnd(&s, into: &buffer)
            s = newSession(at: now + random.between(Int64(0), 90_000))
        }
        sessions[slot] = s
    }

    /// Moves to `phase` at `time`; an `llm_call` or `tool_call` is scheduled to start at `time`.
    mutating func enter(_ phase: SessionState.Phase, at time: Int64, _ s: inout SessionState) {
        if phase == .llmCall {
            scheduleLLMCall(&s, from: time)
        } else if phase == .toolCall {
            scheduleToolCall(&s, from: time)
        } else {
            s.phase = phase
            s.nextAt = time
        }
    }

    mutating func afterTurn(_ s: inout SessionState) {
        guard s.turn >= s.plannedTurns else {
            s.phase = .userMessage
            s.nextAt = now + thinkTime()
            return
        }
        switch s.ending {
        case .completed, .cancelled:
            s.phase = .end
            s.nextAt = now + random.between(Int64(2_000), 90_000)
        case .failed:
            s.phase = .end
            s.nextAt = now + random.between(Int64(200), 5_000)
        case .timeout:
            // The chat server's idle sweeper closes the session after 30 minutes.
            s.phase = .end
            s.nextAt = now + 1_800_000 + random.between(Int64(0), 60_000)
        case .abandoned:
            s = newSession(at: now + random.between(Int64(0), 60_000))
        }
    }

    /// Time a user takes before the next question: mostly seconds, sometimes minutes,
    /// rarely the next day (which makes sessions longer than 24 h).
    mutating func thinkTime() -> Int64 {
        let roll = random.unit()
        if roll < 0.60 { return random.between(Int64(5_000), 40_000) }
        if roll < 0.90 { return random.between(Int64(40_000), 180_000) }
        if roll < 0.995 { return random.between(Int64(180_000), 1_200_000) }
        return random.between(Int64(20 * 3_600_000), 30 * 3_600_000)
    }

    /// Decides the outcome, size and duration of the next `llm_call`, which is logged when it completes.
    mutating func scheduleLLMCall(_ s: inout SessionState, from start: Int64) {
        let model = Vocabulary.models[s.model]
        let requestsTools = s.toolRoundsLeft > 0
        let roll = random.unit()
        s.callReasoning = 0
        if roll < 0.006 {
            s.callStatus = .timeout
            s.callTTFT = 0
            s.callOutput = 0
            s.callLatency = 60_000 + random.between(Int64(0), 400)
        } else if roll < 0.022 {
            s.callStatus = .error
            s.callError = random.below(Vocabulary.llmErrors.count)
            s.callTTFT = 0
            s.callOutput = 0
            s.callLatency = random.between(Int64(120), 2_500)
        } else {
            s.callStatus = .success
            let sizeRoll = random.unit()
            var output: Int64 = requestsTools ? random.between(Int64(20), 160)
                : sizeRoll < 0.50 ? random.between(Int64(40), 300)
                : sizeRoll < 0.85 ? random.between(Int64(300), 900)
                : random.between(Int64(900), 2_500)
            if s.extendedThinking {
                s.callReasoning = random.between(Int64(100), 3_000)
                output += s.callReasoning
            }
            s.callOutput = output
            s.callTTFT = random.between(Int64(180), 1_800) + s.contextTokens / 400
            s.callLatency = s.callTTFT + output * Int64(random.between(model.msPerToken.lowerBound, model.msPerToken.upperBound))
            if random.chance(0.015) { s.callLatency += random.between(Int64(30_000), 90_000) }
        }
        s.phase = .llmCall
        s.nextAt = start + s.callLatency + random.between(Int64(2), 40)
    }

    mutating func afterLLMCall(_ s: inout SessionState, overflow: Bool) {
        let window = Vocabulary.models[s.model].contextWindow
        if overflow {
            s.ending = .failed
            s.failure = .contextOverflow
            s.logTopic = .contextOverflow
            s.logValueA = s.contextTokens
            s.resumePhase = .end
            s.resumeAt = now + random.between(Int64(100), 2_000)
            s.phase = .sessionLog
            s.nextAt = now + random.between(Int64(1), 5)
            return
        }
        guard s.callStatus == .success else {
            s.retries += 1
            if s.retries > 2 {
                s.ending = .failed
                s.failure = .llmErrors
                s.failureDetail = s.callError
                s.phase = .end
                s.nextAt = now + random.between(Int64(50), 1_500)
                return
            }
            s.logTopic = .llmRetry
            s.phase = .sessionLog
            s.nextAt = now + random.between(Int64(1), 5)
            s.resumePhase = .llmCall
            s.resumeAt = now + Int64(s.retries) * 2_000
            return
        }
        s.previousInput = s.contextTokens
        s.contextTokens += s.callOutput - s.callReasoning
        if s.compacts, s.contextTokens * 10 >= window * 9 {
            s.logTopic = .compaction
            s.logValueA = s.contextTokens
            s.contextTokens = s.contextTokens / 4
            s.logValueB = s.contextTokens
            s.previousInput = 0
            s.resumePhase = s.toolRoundsLeft > 0 ? .toolCall : .assistantMessage
            s.resumeAt = now + random.between(Int64(5), 80)
            if s.toolRoundsLeft > 0 { beginToolRound(&s) }
            s.phase = .sessionLog
            s.nextAt = now + random.between(Int64(1), 4)
            return
        }
        if s.toolRoundsLeft > 0 {
            beginToolRound(&s)
            scheduleToolCall(&s, from: now)
        } else {
            s.phase = .assistantMessage
            s.nextAt = now + random.between(Int64(5), 80)
        }
    }

    mutating func beginToolRound(_ s: inout SessionState) {
        s.toolRoundsLeft -= 1
        let roll = random.unit()
        s.toolCallsLeft = roll < 0.70 ? 1 : roll < 0.92 ? 2 : 3
    }

    /// Picks the tool of the next `tool_call`, its outcome and when it completes.
    mutating func scheduleToolCall(_ s: inout SessionState, from start: Int64) {
        s.tool = Choices.tool.pick(&random)
        let roll = random.unit()
        if roll < 0.025 {
            // The MCP runtime gives up after 30 s.
            s.callStatus = .timeout
            s.callLatency = 30_000 + random.between(Int64(1), 250)
        } else if roll < 0.065 {
            s.callStatus = .error
            s.callError = random.below(Vocabulary.toolErrors.count)
            s.callLatency = random.between(Int64(5), 800)
        } else {
            s.callStatus = .success
            s.callLatency = successfulExecutionTime(tool: s.tool)
        }
        s.phase = .toolCall
        s.nextAt = start + s.callLatency + random.between(Int64(1), 20)
    }

    /// Execution time of a successful call, by tool: lookups are fast, analyses slow and
    /// now and then slower than 30 s.
    mutating func successfulExecutionTime(tool: Int) -> Int64 {
        switch tool {
        case 1: return random.between(Int64(40), 900)
        case 2: return random.chance(0.03) ? random.between(Int64(5_000), 20_000) : random.between(Int64(80), 2_500)
        case 4: return random.chance(0.06) ? random.between(Int64(30_500), 75_000) : random.between(Int64(400), 9_000)
        case 6: return random.chance(0.03) ? random.between(Int64(31_000), 50_000) : random.between(Int64(200), 5_000)
        default: return random.between(Int64(8), 250)
        }
    }
}
