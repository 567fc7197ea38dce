import Testing
@testable import TallyCore
import TallyCorpus

/// The 1.1 rules of the fold, each on a hand-computed fixture: cache-write and dated prices, feedback,
/// persona rollups, error groups and their bound, log errors and the fullest context window.
@Suite struct Fold11Tests {
    static let price = ModelPrice(
        inputPicosPerToken: 3_000_000, outputPicosPerToken: 15_000_000, cachedInputPicosPerToken: 300_000,
        cacheWritePicosPerToken: 3_750_000)

    @Test func cacheWritesArePricedAtTheCacheWritePriceElseAtInput() {
        let call = Event.LLMCall(model: "m", inputTokens: 1_000, outputTokens: 100, cachedInputTokens: 200, cacheWriteInputTokens: 300)
        // (500 × 3 + 200 × 0.30 + 300 × 3.75 + 100 × 15) USD per million = 4,185,000 nano-dollars.
        #expect(CallCost.nanos(for: call, price: Self.price) == 4_185_000)
        var withoutWritePrice = Self.price
        withoutWritePrice.cacheWritePicosPerToken = nil
        // 500 × 3 + 200 × 0.30 + 300 × 3 + 100 × 15: writes at the input price.
        #expect(CallCost.nanos(for: call, price: withoutWritePrice) == 3_960_000)
    }

    @Test func aCallIsPricedWithTheEntryInForceAtItsTimestamp() {
        var settings = FoldSettings.fewEvents
        settings.pricing["m"] = [
            ModelPrice(inputPicosPerToken: 1_000_000, outputPicosPerToken: 0, from: t0),
            ModelPrice(inputPicosPerToken: 2_000_000, outputPicosPerToken: 0, from: t0 + hour),
        ]
        let call = Event.LLMCall(model: "m", inputTokens: 1_000)
        #expect(CallCost.nanos(for: call, at: t0 - 1, settings: settings) == nil)    // before the first entry
        #expect(CallCost.nanos(for: call, at: t0, settings: settings) == 1_000_000)
        #expect(CallCost.nanos(for: call, at: t0 + hour - 1, settings: settings) == 1_000_000)
        #expect(CallCost.nanos(for: call, at: t0 + hour, settings: settings) == 2_000_000)
        let state = folded([
            llmCall("s", t0 - 1, call), llmCall("s", t0 + hour - 1, call), llmCall("s", t0 + hour, call),
        ], settings: settings)
        #expect(state.summary().costNanos == 3_000_000)
        #expect(state.summary().unpricedLLMCalls == 1)
        #expect(state.models().first?.unpricedCalls == 1)
        // The provider's figure still wins, even before the first entry.
        #expect(CallCost.nanos(for: .init(model: "m", inputTokens: 5, costNanos: 7), at: 0, settings: settings) == 7)
    }

    @Test func tokenBreakdownIsSummedPerSessionModelAndSummary() {
        let state = folded([
            llmCall("s", t0, .init(model: "a", inputTokens: 100, outputTokens: 50, cachedInputTokens: 10, reasoningTokens: 20,
                                   cacheWriteInputTokens: 30)),
            llmCall("s", t0 + 1, .init(model: "a", inputTokens: 100, cachedInputTokens: 5)),
            llmCall("s", t0 + 2, .init(model: "b", outputTokens: 10)),
        ])
        let row = state.session("s")
        #expect(row?.cachedInputTokens == 15 && row?.cacheWriteInputTokens == 30 && row?.reasoningTokens == 20)
        #expect(row?.models.map(\.cachedInputTokens) == [15, nil])
        #expect(state.models().map(\.cacheWriteInputTokens) == [30, nil])
        #expect(state.models().map(\.reasoningTokens) == [20, nil])
        let summary = state.summary()
        #expect(summary.cachedInputTokens == 15 && summary.cacheWriteInputTokens == 30 && summary.reasoningTokens == 20)
    }

    @Test func feedbackCountsWithAndWithoutRatingAndSentiment() {
        let events = [
            feedback("s", t0, rating: 4, .positive),
            feedback("s", t0 + 1, rating: 5, nil),
            feedback("s", t0 + minute, rating: nil, .negative),
            feedback("s", t0 + minute + 1, rating: 4.5, .neutral),
            sessionStart("s", t0, context(user: "u")),
        ]
        let state = folded(events)
        let row = state.session("s")
        #expect(row?.feedback == 4 && row?.ratings == 3 && row?.averageRating == 4.5)
        #expect(row?.positiveFeedback == 1 && row?.negativeFeedback == 1)
        let summary = state.summary()
        #expect(summary.feedback == 4 && summary.ratings == 3 && summary.averageRating == 4.5)
        #expect(summary.sentiment == ["positive": 1, "neutral": 1, "negative": 1])
        let buckets = state.timeline()
        #expect(buckets.map(\.feedback) == [2, 2] && buckets.map(\.negativeFeedback) == [0, 1])
        let user = state.rollups(by: .user).first
        #expect(user?.feedback == 4 && user?.averageRating == 4.5 && user?.negativeFeedback == 1)
        // The exact mean, rounded half-even to 3 decimals: (1 + 2 + 2) / 3 = 1.6667 → 1.667.
        let thirds = folded([feedback("t", t0, rating: 1, nil), feedback("t", t0, rating: 2, nil), feedback("t", t0, rating: 2, nil)])
        #expect(thirds.session("t")?.averageRating == 1.667)
        #expect(folded([feedback("n", t0, rating: nil, nil)]).session("n")?.averageRating == nil)
    }

    @Test func personaRollupsCountEveryStatusWithSuccessRateAndResponseTime() {
        var settings = FoldSettings.fewEvents
        settings.inactivityTimeoutMs = 10 * minute
        let persona = context(persona: "support")
        let events = [
            sessionStart("completed", t0, persona), message("completed", t0, .user), message("completed", t0 + 1_000, .assistant),
            sessionEnd("completed", t0 + 2_000, .completed),
            sessionStart("failed", t0, persona), message("failed", t0, .user), message("failed", t0 + 3_000, .assistant),
            sessionEnd("failed", t0 + 4_000, .failed),
            sessionStart("cancelled", t0, persona), sessionEnd("cancelled", t0 + 1, .cancelled),
            sessionStart("timeout", t0, persona), sessionEnd("timeout", t0 + 1, .timeout),
            sessionStart("derived", t0, persona),                          // no end: TIMEOUT at the watermark
            sessionStart("active", t0 + 20 * minute, persona),             // the watermark is here
            sessionStart("nobody", t0),                                    // no persona: in no row
        ]
        let state = folded(events, settings: settings)
        let rows = state.rollups(by: .persona)
        #expect(rows.count == 1)
        let row = rows[0]
        #expect(row.key == "support" && row.sessions == 6)
        #expect([row.active, row.completed, row.failed, row.cancelled, row.timeout] == [1, 1, 1, 1, 2])
        #expect(row.successRate == 0.167)                                  // 1 / 6
        #expect(row.averageResponseMs == 2_000)                            // (1,000 + 3,000) / 2
        var changed = state
        _ = changed.takeChanges()
        #expect(changed.rollups(by: .persona) == rows)
        #expect(changed.rollups(by: .persona, keys: ["support"]) == rows)
    }

    @Test func errorMessagesAreNormalized() {
        #expect(ErrorGroupKey.normalized("upstream 502 after 30000 ms (try 2)") == "upstream # after # ms (try #)")
        #expect(ErrorGroupKey.normalized("v1.2.3") == "v#.#.#")
        // A cut inside "é" (2 bytes) backs up to the character's start: "a" + 99 × "é" is 199 bytes.
        let long = "a" + String(repeating: "é", count: 150)
        #expect(ErrorGroupKey.normalized(long) == "a" + String(repeating: "é", count: 99))
        #expect(ErrorGroupKey.normalized(String(repeating: "x", count: 300)).utf8.count == 200)
        // Digits become one "#" each run before the cut: 300 digits are one byte.
        #expect(ErrorGroupKey.normalized(String(repeating: "7", count: 300)) == "#")
    }

    @Test func failedCallsAndSessionsFormGroupsWithTheirFirstAndLastTimeAndSession() {
        let events = [
            llmCall("b", t0 + 5, .init(model: "m", status: .error, errorMessage: "rate limit 429, retry in 2 s")),
            llmCall("a", t0 + 5, .init(model: "m", status: .error, errorMessage: "rate limit 429, retry in 7 s")),
            llmCall("c", t0 + 9, .init(model: "m", status: .error, errorMessage: "rate limit 503, retry in 1 s")),
            llmCall("c", t0 + 10, .init(model: "m", status: .timeout)),
            llmCall("c", t0 + 11, .init(model: "m", status: .success, errorMessage: "ignored")),
            toolCall("c", t0 + 12, "search", .timeout),
            sessionEnd("c", t0 + 20, .failed, error: "gave up after 3 tries"),
            sessionEnd("d", t0 + 21, .failed),
            sessionEnd("e", t0 + 21, .completed, error: "not an error"),
        ]
        let groups = folded(events).errorGroupViews()
        #expect(groups == [
            ErrorGroupView(kind: .llm, name: "m", status: "error", message: "rate limit #, retry in # s", count: 3,
                           firstTimestamp: t0 + 5, lastTimestamp: t0 + 9, sessionID: "a"),
            ErrorGroupView(kind: .llm, name: "m", status: "timeout", message: nil, count: 1,
                           firstTimestamp: t0 + 10, lastTimestamp: t0 + 10, sessionID: "c"),
            ErrorGroupView(kind: .session, name: nil, status: "FAILED", message: nil, count: 1,
                           firstTimestamp: t0 + 21, lastTimestamp: t0 + 21, sessionID: "d"),
            ErrorGroupView(kind: .session, name: nil, status: "FAILED", message: "gave up after # tries", count: 1,
                           firstTimestamp: t0 + 20, lastTimestamp: t0 + 20, sessionID: "c"),
            ErrorGroupView(kind: .tool, name: "search", status: "timeout", message: nil, count: 1,
                           firstTimestamp: t0 + 12, lastTimestamp: t0 + 12, sessionID: "c"),
        ])
        // A later end that completes the session takes it out of its group.
        var state = folded(events)
        _ = state.takeChanges()
        state.fold(sessionEnd("c", t0 + 30, .completed))
        #expect(!state.errorGroupViews().contains { $0.message == "gave up after # tries" })
        _ = state.takeChanges()
        #expect(!state.errorGroupViews().contains { $0.message == "gave up after # tries" })
    }

    @Test func theBoundKeepsTheSameGroupsAndOtherInEveryOrderAndSplit() {
        var settings = FoldSettings.fewEvents
        settings.errorGroupLimit = 5
        var generator = SplitMix64(seed: 7)
        let events = (0..<200).map { index in
            let letters = String(UnicodeScalar(UInt8(97 + index % 23)))
            return toolCall("s\(index % 9)", t0 + Int64(index * 13 % 97), "t", .error, message: "fault \(letters)\(index % 31)x")
        }
        let expected = folded(events, settings: settings).errorGroupViews()
        #expect(expected.count == 6)                                       // 5 kept and one (other)
        let other = try? #require(expected.first { $0.message == ErrorGroupView.otherMessage })
        #expect(other?.kind == .tool && other?.name == nil && other?.status == nil)
        #expect(expected.reduce(0) { $0 + $1.count } == 200)
        for _ in 0..<4 {
            #expect(folded(events.shuffled(using: &generator), settings: settings).errorGroupViews() == expected)
            var parts = Array(repeating: FoldState(settings: settings), count: 3)
            for event in events.shuffled(using: &generator) { parts[Int.random(in: 0..<3, using: &generator)].fold(event) }
            var merged = parts[0]
            merged.merge(parts[1])
            merged.merge(parts[2])
            #expect(merged.errorGroupViews() == expected)
            let restored = try? FoldState(
                settings: settings, globals: merged.encodeGlobals(), sessions: merged.sessions.states.map { $0.encoded() })
            #expect(restored?.errorGroupViews() == expected)
        }
    }

    @Test func logErrorsAndTheFullestContextAreKeptPerSession() {
        let events = [
            Event(timestamp: t0, sessionID: "s", payload: .log(.init(level: .error, message: "boom"))),
            Event(timestamp: t0, sessionID: "s", payload: .log(.init(level: .warn, message: "hm"))),
            Event(timestamp: t0, sessionID: nil, payload: .log(.init(level: .error, message: "no session"))),
            llmCall("s", t0 + 1, .init(model: "m", inputTokens: 90_000, contextWindow: 128_000)),
            llmCall("s", t0 + 2, .init(model: "m", inputTokens: 150_000, contextWindow: 200_000)),
            llmCall("s", t0 + 3, .init(model: "m", inputTokens: 10)),
        ]
        let row = folded(events).session("s")
        #expect(row?.logErrors == 1)
        #expect(row?.maxContextRatio == 0.75)                              // 150,000 / 200,000 beats 90,000 / 128,000
        #expect(folded([llmCall("t", t0, .init(model: "m", inputTokens: 1))]).session("t")?.maxContextRatio == nil)
    }

    @Test func stateOfTheFormerFormatIsReadWithoutThe11Figures() throws {
        let events = [
            sessionStart("s", t0, context(user: "u", persona: "p")), feedback("s", t0 + 1, rating: 5, .positive),
            llmCall("s", t0 + 2, .init(model: "m", inputTokens: 10, cacheWriteInputTokens: 4, status: .error, errorMessage: "x")),
        ]
        let state = folded(events)
        let old = try FoldState(
            settings: state.settings, globals: state.encodeGlobals(format: 2),
            sessions: state.sessions.states.map { $0.encoded(format: 1) })
        #expect(old.summary().events == 3 && old.summary().feedback == 0 && old.errorGroupViews().isEmpty)
        #expect(old.session("s")?.feedback == 0 && old.session("s")?.llmCalls == 1)
        // Continued: the new figures count from here on.
        var continued = old
        continued.fold(feedback("s", t0 + 3, rating: 3, nil))
        #expect(continued.session("s")?.averageRating == 3 && continued.rollups(by: .persona).first?.feedback == 1)
    }
}

func feedback(_ session: String, _ ts: Int64, rating: Double?, _ sentiment: Event.Sentiment?) -> Event {
    Event(timestamp: ts, sessionID: session, payload: .feedback(.init(rating: rating, sentiment: sentiment)))
}

func toolCall(_ session: String, _ ts: Int64, _ name: String, _ status: Event.CallStatus, message: String?) -> Event {
    Event(timestamp: ts, sessionID: session, payload: .toolCall(.init(toolName: name, status: status, errorMessage: message)))
}
