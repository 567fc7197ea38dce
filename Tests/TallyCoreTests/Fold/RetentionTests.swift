import Testing
@testable import TallyCore

@Suite struct RetentionTests {
    static var settings: FoldSettings {
        var settings = FoldSettings.fewEvents
        settings.sessionRetentionMs = hour
        settings.inactivityTimeoutMs = 10 * minute
        settings.maxSessionDurationMs = 30_000
        return settings
    }

    @Test func droppedSessionsLeaveTheTableButKeepTheirTotals() throws {
        var state = folded([
            sessionStart("a", t0, context(user: "ua", org: "o")),
            llmCall("a", t0 + 10_000, .init(model: "m", inputTokens: 100, outputTokens: 20, costNanos: 500)),
            toolCall("a", t0 + 20_000, "t", .error),
            sessionEnd("a", t0 + minute, .completed),
        ], settings: Self.settings)
        let firstChanges = state.takeChanges()
        #expect(firstChanges.sessions.map(\.row.sessionID) == ["a"])
        let before = AllViews(state)

        state.fold(message("b", t0 + minute + hour + 1, .user, context(user: "ub")))
        #expect(state.session("a") == nil)
        #expect(state.sessionRows().map(\.sessionID) == ["b"])
        let summary = state.summary()
        #expect(summary.sessions == ["total": 2, "ACTIVE": 1, "COMPLETED": 1, "FAILED": 0, "CANCELLED": 0, "TIMEOUT": 0])
        #expect(summary.costNanos == 500)
        #expect(state.rollups(by: .user) == before.users + [{
            var row = RollupView(key: "ub")
            row.sessions = 1
            row.active = 1
            row.successRate = 0
            return row
        }()])
        #expect(state.rollups(by: .org) == before.orgs)
        #expect(state.timeline().filter { $0.bucketStart < t0 + hour } == before.timeline)
        #expect(state.alerts().first { $0.kind == .longSession }?.sessionID == "a")

        let changes = state.takeChanges()
        #expect(changes.droppedSessionIDs == ["a"])
        #expect(changes.sessions.map(\.row.sessionID) == ["b"])
        #expect(state.takeChanges().droppedSessionIDs.isEmpty)
    }

    @Test func aLateEventForADroppedSessionStartsANewRecord() throws {
        var state = folded([
            sessionStart("a", t0), sessionEnd("a", t0 + minute, .completed),
            message("b", t0 + minute + hour + 1, .user),
        ], settings: Self.settings)
        state.fold(message("a", t0 + 2 * minute, .user))
        let row = try #require(state.session("a"))
        #expect(row.startedAt == t0 + 2 * minute)
        #expect(row.messages == 1)
        #expect(row.endStatus == nil)
        #expect(state.summary().sessions["total"] == 3)
        let changes = state.takeChanges()
        #expect(changes.droppedSessionIDs.isEmpty)  // "a" is live again: its new row replaces the old one
        #expect(Set(changes.sessions.map(\.row.sessionID)) == ["a", "b"])
    }

    @Test func suspendedRetentionKeepsALateEventInItsSessionUntilResumed() throws {
        // Read out of time order: "b" moves the watermark past a's retention before a's late message arrives.
        var state = FoldState(settings: Self.settings)
        state.suspendRetention()
        for event in [
            sessionStart("a", t0), sessionEnd("a", t0 + minute, .completed),
            message("b", t0 + 3 * minute + hour, .user), message("a", t0 + 2 * minute, .user),
        ] { state.fold(event) }
        // Still in the table, holding the late message (the views already treat it as past retention).
        let record = try #require(state.sessions["a"])
        #expect(record.messages == 1)
        #expect(record.startedAt == t0)
        #expect(state.summary().sessions["total"] == 2)
        state.resumeRetention()
        #expect(state.sessions["a"] == nil)           // past retention at the watermark: dropped now
        #expect(state.summary().sessions["total"] == 2) // one record of "a", not two
        #expect(state.summary().sessions["COMPLETED"] == 1)
    }

    @Test func whenTheSweepRunsDoesNotChangeTheViews() {
        // The sweep at t0+60m (next one at t0+67.5m) keeps "a"; at t0+66m "a" is past retention but not swept.
        let events = [
            sessionStart("a", t0, context(user: "u")), sessionEnd("a", t0 + 5 * minute, .failed, error: "e"),
            message("b", t0 + 60 * minute, .user), message("c", t0 + 66 * minute, .user),
        ]
        var swept = folded(events, settings: Self.settings)
        let unswept = swept
        #expect(unswept.sessions["a"] != nil)
        #expect(swept.takeChanges().droppedSessionIDs == ["a"])
        #expect(swept.sessions["a"] == nil)
        #expect(AllViews(swept) == AllViews(unswept))
    }
}
