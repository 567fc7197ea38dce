import Testing
@testable import TallyCore

@Suite struct SessionFoldTests {
    @Test func startedAtIsTheSessionStartElseTheEarliestEvent() throws {
        let state = folded([
            message("a", t0 + 5_000, .user),
            sessionStart("a", t0 + 2_000),
            message("a", t0 + 1_000, .user),
            sessionStart("a", t0 + 3_000),
            message("b", t0 + 9_000, .user),
            message("b", t0 + 4_000, .assistant),
        ])
        let a = try #require(state.session("a"))
        #expect(a.startedAt == t0 + 2_000)
        #expect(a.lastActivityAt == t0 + 5_000)
        let b = try #require(state.session("b"))
        #expect(b.startedAt == t0 + 4_000)
        #expect(b.lastActivityAt == t0 + 9_000)
        #expect(b.messages == 2 && b.userMessages == 1 && b.assistantMessages == 1)
    }

    @Test func contextIsTheValueOfTheEarliestEventCarryingItSmallerStringOnTies() throws {
        let state = folded([
            message("s", t0 + 3_000, .user, context(user: "late", org: "o-late")),
            message("s", t0 + 1_000, .user, context(user: "zed", persona: "p1")),
            message("s", t0 + 1_000, .assistant, context(user: "amy")),
            message("s", t0 + 2_000, .user, context(org: "o-first", project: "pr", conversation: "c")),
        ])
        let row = try #require(state.session("s"))
        #expect(row.userID == "amy")
        #expect(row.orgID == "o-first")
        #expect(row.projectID == "pr")
        #expect(row.conversationID == "c")
        #expect(row.personaID == "p1")
    }

    @Test func statusIsTheLatestEndWithTheLargerStatusOnTies() throws {
        let state = folded([
            sessionEnd("s", t0 + 5_000, .completed),
            sessionEnd("s", t0 + 9_000, .failed, error: "boom"),
            sessionEnd("s", t0 + 1_000, .cancelled),
            sessionEnd("t", t0 + 5_000, .failed, error: "x"),
            sessionEnd("t", t0 + 5_000, .completed),
        ])
        let s = try #require(state.session("s"))
        #expect(s.status(watermark: t0 + 9_000, inactivityTimeoutMs: hour) == .failed)
        #expect(s.errorMessage == "boom")
        #expect(s.endTimestamp == t0 + 9_000)
        let t = try #require(state.session("t"))
        #expect(t.endStatus == .failed)  // failed (1) > completed (0)
        #expect(t.errorMessage == "x")
    }

    @Test func derivedTimeoutOnlyWhenTheWatermarkExceedsTheTimeout() throws {
        var settings = FoldSettings.fewEvents
        settings.inactivityTimeoutMs = 10 * minute
        var state = folded([sessionStart("s", t0), message("s", t0 + minute, .user), logLine(t0 + 11 * minute)], settings: settings)
        #expect(state.summary().sessions["ACTIVE"] == 1)
        var row = try #require(state.session("s"))
        #expect(row.status(watermark: state.watermark!, inactivityTimeoutMs: settings.inactivityTimeoutMs) == .active)
        #expect(row.endedAt(watermark: state.watermark!, inactivityTimeoutMs: settings.inactivityTimeoutMs) == nil)

        state.fold(logLine(t0 + 11 * minute + 1))
        row = try #require(state.session("s"))
        #expect(row.status(watermark: state.watermark!, inactivityTimeoutMs: settings.inactivityTimeoutMs) == .timeout)
        #expect(row.endedAt(watermark: state.watermark!, inactivityTimeoutMs: settings.inactivityTimeoutMs) == t0 + minute)
        #expect(row.durationMs(watermark: state.watermark!, inactivityTimeoutMs: settings.inactivityTimeoutMs) == minute)
        let summary = state.summary()
        #expect(summary.sessions == ["total": 1, "ACTIVE": 0, "COMPLETED": 0, "FAILED": 0, "CANCELLED": 0, "TIMEOUT": 1])
        // Derived TIMEOUTs count in the timeline's sessions_ended at their last activity.
        #expect(state.timeline().first { $0.bucketStart == t0 + minute }?.sessionsEnded == 1)
    }

    @Test func logWithoutSessionCountsAsAnEventOfNoSession() {
        let state = folded([logLine(t0), logLine(t0 + 1, session: "s")])
        let summary = state.summary()
        #expect(summary.events == 2)
        #expect(summary.sessions["total"] == 1)
        #expect(state.sessionRows().map(\.sessionID) == ["s"])
        #expect(summary.watermark == t0 + 1)
    }

    @Test func responsePairsSortByTimeWithUserBeforeAssistantOnTies() throws {
        let state = folded([
            // Late arrival: the assistant reply comes first in the input.
            message("s", t0 + 4_000, .assistant),
            message("s", t0 + 1_000, .user),
            // Same ts: user sorts before assistant, a 0 ms response.
            message("s", t0 + 6_000, .assistant),
            message("s", t0 + 6_000, .user),
            // user, system, assistant: the system message breaks the pair.
            message("s", t0 + 7_000, .user),
            message("s", t0 + 8_000, .system),
            message("s", t0 + 9_000, .assistant),
            // Two users then an assistant: only the second pairs.
            message("s", t0 + 10_000, .user),
            message("s", t0 + 12_000, .user),
            message("s", t0 + 17_000, .assistant),
            // A tool message at the same ts as the assistant sorts after it and does not break the pair.
            message("s", t0 + 20_000, .user),
            message("s", t0 + 22_000, .tool),
            message("s", t0 + 22_000, .assistant),
        ])
        let row = try #require(state.session("s"))
        // Pairs: 3000, 0, 5000, 2000.
        #expect(row.responseCount == 4)
        #expect(row.responseTotalMs == 10_000)
        #expect(row.maxResponseMs == 5_000)
        #expect(row.averageResponseMs == 2_500)
    }

    @Test func sessionRowCarriesCallsToolsAndLatestModel() throws {
        let state = folded([
            llmCall("s", t0 + 2_000, .init(model: "m-b", inputTokens: 10, outputTokens: 5, costNanos: 7, status: .error)),
            llmCall("s", t0 + 1_000, .init(model: "m-a", inputTokens: 20, costNanos: 3, status: .timeout)),
            llmCall("s", t0 + 2_000, .init(model: "m-a", status: .success)),
            toolCall("s", t0 + 3_000, "search", .error),
            toolCall("s", t0 + 4_000, "search", .timeout),
            toolCall("s", t0 + 5_000, "fetch"),
        ])
        let row = try #require(state.session("s"))
        #expect(row.llmCalls == 3 && row.llmErrors == 2)
        #expect(row.inputTokens == 30 && row.outputTokens == 5)
        #expect(row.costNanos == 10)
        #expect(row.unpricedLLMCalls == 1)
        #expect(row.lastModel == "m-b")  // tie at t0+2s goes to the larger name
        #expect(row.toolCalls == 3 && row.toolErrors == 1 && row.toolTimeouts == 1)
        #expect(row.models == [
            SessionModelUsage(model: "m-a", calls: 2, inputTokens: 20, outputTokens: nil, costNanos: 3),
            SessionModelUsage(model: "m-b", calls: 1, inputTokens: 10, outputTokens: 5, costNanos: 7),
        ])
        #expect(row.tools == [
            SessionToolUsage(toolName: "fetch", calls: 1, errors: 0, timeouts: 0),
            SessionToolUsage(toolName: "search", calls: 2, errors: 1, timeouts: 1),
        ])
    }
}
