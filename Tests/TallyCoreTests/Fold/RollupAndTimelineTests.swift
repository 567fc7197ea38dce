import Testing
@testable import TallyCore

@Suite struct RollupAndTimelineTests {
    @Test func rollupsGroupSessionsByTheirContextAndLeaveOutSessionsWithoutIt() {
        let state = folded([
            sessionStart("s1", t0, context(user: "u1", org: "o1")),
            llmCall("s1", t0 + 1, .init(model: "m", inputTokens: 100, outputTokens: 10, costNanos: 1_000)),
            toolCall("s1", t0 + 2, "t", .error),
            sessionStart("s2", t0, context(user: "u2", org: "o1")),
            llmCall("s2", t0 + 1, .init(model: "m", outputTokens: 5, costNanos: 30)),
            llmCall("s3", t0 + 1, .init(model: "m", inputTokens: 7)),
        ])
        var u1 = RollupView(key: "u1")
        u1.sessions = 1; u1.llmCalls = 1; u1.inputTokens = 100; u1.outputTokens = 10; u1.costNanos = 1_000; u1.toolErrors = 1
        u1.active = 1; u1.successRate = 0
        var u2 = RollupView(key: "u2")
        u2.sessions = 1; u2.llmCalls = 1; u2.outputTokens = 5; u2.costNanos = 30
        u2.active = 1; u2.successRate = 0
        #expect(state.rollups(by: .user) == [u1, u2])
        var o1 = RollupView(key: "o1")
        o1.sessions = 2; o1.llmCalls = 2; o1.inputTokens = 100; o1.outputTokens = 15; o1.costNanos = 1_030; o1.toolErrors = 1
        o1.active = 2; o1.successRate = 0
        #expect(state.rollups(by: .org) == [o1])
        #expect(state.rollups(by: .project) == [])
    }

    @Test func timelineHasOneMinuteBucketsOfEventTime() {
        let state = folded([
            sessionStart("s", t0 + 5_000),
            message("s", t0 + 10_000, .user),
            llmCall("s", t0 + 70_000, .init(model: "m", inputTokens: 100, outputTokens: 20, costNanos: 9, status: .error)),
            toolCall("s", t0 + 75_000, "t", .error),
            toolCall("s", t0 + 76_000, "t", .timeout),
            logLine(t0 + 5 * minute),
            sessionEnd("s", t0 + 3 * minute + 1, .completed),
        ])
        var first = TimelineBucket(bucketStart: t0)
        first.sessionsStarted = 1
        first.messages = 1
        var second = TimelineBucket(bucketStart: t0 + minute)
        second.llmCalls = 1; second.inputTokens = 100; second.outputTokens = 20; second.costNanos = 9
        second.llmErrors = 1; second.toolCalls = 2; second.toolErrors = 1
        var fourth = TimelineBucket(bucketStart: t0 + 3 * minute)
        fourth.sessionsEnded = 1
        #expect(state.timeline() == [first, second, fourth])
    }

    @Test func toolAndModelViewsSummarizeCalls() {
        let state = folded([
            toolCall("s", t0, "search", .success, ms: 100),
            toolCall("s", t0 + 1, "search", .error, ms: 300),
            toolCall("s", t0 + 2, "search", .timeout),
            toolCall("s", t0 + 3, "search", .success, ms: 200),
            llmCall("s", t0 + 4, .init(model: "m", latencyMs: 1_000, ttftMs: 100)),
            llmCall("s", t0 + 5, .init(model: "m", latencyMs: 3_000, status: .timeout)),
        ])
        var tool = ToolView(toolName: "search")
        tool.calls = 4; tool.success = 2; tool.error = 1; tool.timeout = 1; tool.successRate = 0.5
        tool.avgMs = 200; tool.p50Ms = 200; tool.p95Ms = 300; tool.p99Ms = 300; tool.maxMs = 300
        #expect(state.tools() == [tool])
        let model = state.models()[0]
        #expect(model.calls == 2 && model.errors == 1 && model.unpricedCalls == 2)
        #expect(model.avgLatencyMs == 2_000)
        #expect(model.p50LatencyMs == 1_001)  // bucket 1000...1003 reports its midpoint (0.1 % off)
        #expect(abs(Double(model.p99LatencyMs!) - 3_000) / 3_000 <= 0.01)
        #expect(model.avgTTFTMs == 100)
    }

    @Test func summaryCountsEverythingAndInvalidLinesByReason() {
        var state = folded([
            sessionStart("s", t0), message("s", t0 + 1, .user), llmCall("s", t0 + 2, .init(model: "m", inputTokens: 3)),
            toolCall("s", t0 + 3, "t"), logLine(t0 + 4),
        ])
        state.recordInvalid(.notJSON)
        state.recordInvalid(.notJSON)
        state.recordInvalid(.badTimestamp)
        var expected = SummaryView()
        expected.events = 5
        expected.invalid = ["not_json": 2, "bad_ts": 1]
        expected.sessions = ["total": 1, "ACTIVE": 1, "COMPLETED": 0, "FAILED": 0, "CANCELLED": 0, "TIMEOUT": 0]
        expected.messages = 1
        expected.llmCalls = 1
        expected.toolCalls = 1
        expected.inputTokens = 3
        expected.unpricedLLMCalls = 1
        expected.watermark = t0 + 4
        #expect(state.summary() == expected)
    }
}
