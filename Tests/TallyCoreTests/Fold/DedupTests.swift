import Testing
@testable import TallyCore

@Suite struct DedupTests {
    @Test func copiesWithinTheWindowAreFoldedOnce() throws {
        let state = folded([
            message("s", t0, .user, id: "e1"),
            message("s", t0, .user, id: "e1"),
            message("s", t0 + hour, .user, id: "e1"),  // exactly one window later: duplicate
            message("s", t0 + hour + 1, .user, id: "e1"),  // past the window: folded
            message("s", t0 + 5, .user, id: "e2"),
        ])
        let summary = state.summary()
        #expect(summary.events == 3)
        #expect(summary.duplicates == 2)
        #expect(summary.messages == 3)
        #expect(try #require(state.session("s")).messages == 3)
    }

    @Test func reservingRoomForIDsKeepsTheIDsAlreadyFoldedAndChangesNoResult() {
        let first = (0..<3_000).map { logLine(t0 + Int64($0), session: "s\($0 % 40)").withID("id-\($0)") }
        let second = (0..<3_000).map { logLine(t0 + 5_000 + Int64($0), session: "s\($0 % 40)").withID("id-\($0 * 2)") }
        var plain = folded(first)
        var reserved = folded(first)
        reserved.reserveEventIDs(100_000)
        for event in second {
            plain.fold(event)
            reserved.fold(event)
        }
        // Half of the second run repeats ids of the first (within the window): found after the reservation too.
        #expect(reserved.summary().duplicates == 1_500)
        #expect(reserved.summary() == plain.summary())
        #expect(reserved.timeline() == plain.timeline())
    }

    @Test func aDuplicateDoesNotMoveTheWatermark() {
        let state = folded([message("s", t0, .user, id: "e1"), message("s", t0 + 10, .user, id: "e1")])
        #expect(state.watermark == t0)
    }

    @Test func idsAreRememberedWhileFoldingAndForgottenPastTwiceTheWindowAtASnapshot() {
        var settings = FoldSettings.fewEvents
        settings.dedupWindowMs = minute
        let early = (0..<10_000).map { logLine(t0 + Int64($0) * 10, session: "s\($0 % 50)").withID("early-\($0)") }
        var state = folded(early, settings: settings)
        // 10,000 ids ten minutes later move the watermark far past the early ones ...
        for index in 0..<10_000 { state.fold(logLine(t0 + 10 * minute + Int64(index), session: "s").withID("late-\(index)")) }
        // ... yet while folding every id is remembered: a replay reading a later file first still finds them.
        for event in early { state.fold(event) }
        #expect(state.summary().events == 20_000)
        #expect(state.summary().duplicates == 10_000)

        // At a snapshot boundary ids more than 2 × window behind the watermark are forgotten.
        _ = state.takeChanges()
        state.fold(early[0])  // folded again
        state.fold(logLine(t0 + 10 * minute + 5, session: "s").withID("late-5"))  // still remembered: duplicate
        #expect(state.summary().events == 20_001)
        #expect(state.summary().duplicates == 10_001)
    }

    @Test func forgettingIDsBehindAWatermarkKeepsTheRecentOnes() {
        var settings = FoldSettings.fewEvents
        settings.dedupWindowMs = minute
        let early = logLine(t0, session: "s").withID("early")
        let late = logLine(t0 + 10 * minute, session: "s").withID("late")
        var state = folded([early, late], settings: settings)
        state.forgetEventIDs(behind: t0 + 10 * minute)
        state.fold(early)  // more than 2 × window behind: forgotten, folded again
        state.fold(late)   // remembered: a duplicate
        #expect(state.summary().events == 3)
        #expect(state.summary().duplicates == 1)
    }

    @Test func mergeOfPartsSplitBySessionEqualsOneFold() {
        var settings = FoldSettings.fewEvents
        settings.slowToolMs = 1_000
        let events: [Event] = [
            llmCall("s", t0 + 10, .init(model: "m", inputTokens: 900, outputTokens: 40, latencyMs: 800), id: "call-1"),
            llmCall("s", t0 + 10, .init(model: "m", inputTokens: 900, outputTokens: 40, latencyMs: 800), id: "call-1"),
            toolCall("t", t0 + 20, "slow", ms: 5_000, id: "tool-1"),
            toolCall("t", t0 + 20 + 2 * hour, "slow", ms: 5_000, id: "tool-1"),
            toolCall("t", t0 + 30, "slow", ms: 5_000, id: "tool-1"),
        ]
        var left = folded(events.filter { $0.sessionID == "s" }, settings: settings)
        left.merge(folded(events.filter { $0.sessionID == "t" }, settings: settings))
        let whole = folded(events, settings: settings)
        #expect(AllViews(left) == AllViews(whole))
        #expect(whole.summary().events == 3)
        #expect(whole.summary().duplicates == 2)
    }

    @Test func anEventFoldedByBothPartsStaysFoldedTwiceButLaterCopiesAreRecognized() {
        let copy = message("s", t0, .user, id: "e1")
        var left = folded([copy])
        left.merge(folded([copy]))
        #expect(left.summary().events == 2)
        #expect(left.summary().messages == 2)
        left.fold(message("s", t0 + 5, .user, id: "e1"))
        #expect(left.summary().duplicates == 1)
    }
}

extension Event {
    func withID(_ id: String) -> Event {
        var event = self
        event.eventID = EventID(id)
        return event
    }
}
