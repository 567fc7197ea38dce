import Testing
@testable import TallyCore

@Suite struct PersistenceTests {
    /// A slow call lands in a histogram bucket whose index is larger than the bytes that
    /// follow it in the encoding; the index must not be read as a length.
    @Test func globalsWithAHighHistogramBucketRoundTrip() throws {
        var state = FoldState(settings: FoldSettings.fewEvents)
        state.fold(Event(
            timestamp: 1_761_177_600_000, sessionID: "s1",
            payload: .llmCall(.init(model: "m", inputTokens: 10, outputTokens: 5, latencyMs: 600_000))))
        let rebuilt = try FoldState(settings: FoldSettings.fewEvents, globals: state.encodeGlobals(), sessions: [])
        #expect(rebuilt.models() == state.models())
        #expect(rebuilt.models().first?.p50LatencyMs == state.models().first?.p50LatencyMs)
    }

    @Test func aStateRebuiltFromItsEncodingsFoldsFurtherEventsIdentically() throws {
        var settings = OrderIndependenceTests.settings
        settings.sessionRetentionMs = hour
        let events = OrderIndependenceTests.randomEvents(seed: 11).sorted { $0.timestamp < $1.timestamp }
        let firstPart = events.prefix(1_200)
        // The rest, shifted so that some sessions are dropped by retention along the way.
        let secondPart = events.dropFirst(1_200).map { event in
            var event = event
            event.timestamp += 2 * hour
            return event
        } + events.prefix(300)  // copies of early events: duplicates, or late events

        var original = FoldState(settings: settings)
        var stored: [String: [UInt8]] = [:]
        func persist(_ state: inout FoldState) {
            let changes = state.takeChanges()
            for (row, bytes) in changes.sessions { stored[row.sessionID] = bytes }
            for id in changes.droppedSessionIDs { stored[id] = nil }
        }
        for (index, event) in firstPart.enumerated() {
            original.fold(event)
            if index % 400 == 0 { persist(&original) }
        }
        persist(&original)
        #expect(Set(stored.keys) == Set(original.sessionRows().map(\.sessionID)))

        var rebuilt = try FoldState(settings: settings, globals: original.encodeGlobals(), sessions: stored.values)
        #expect(AllViews(rebuilt) == AllViews(original))
        for event in secondPart {
            original.fold(event)
            rebuilt.fold(event)
        }
        #expect(AllViews(rebuilt) == AllViews(original))
        #expect(original.summary().duplicates > 0)
        // Every session id recurs 2 h later: the old records were dropped and new ones started.
        #expect(original.summary().sessions["total"]! > original.sessionRows().count)

        persist(&original)
        #expect(Set(stored.keys) == Set(original.sessionRows().map(\.sessionID)))
        let rebuiltAgain = try FoldState(settings: settings, globals: original.encodeGlobals(), sessions: stored.values)
        #expect(AllViews(rebuiltAgain) == AllViews(original))
    }

    @Test func badBytesThrowAnErrorNamingTheOffset() {
        let state = folded([message("s", t0, .user, id: "e")])
        var globals = state.encodeGlobals()
        globals.removeLast()
        let truncated = #expect(throws: FoldDecodingError.self) { try FoldState(settings: FoldSettings.fewEvents, globals: globals, sessions: []) }
        #expect(truncated?.code == .truncated)
        do {
            _ = try FoldState(settings: FoldSettings.fewEvents, globals: [9], sessions: [])
            Issue.record("format 9 was accepted")
        } catch {
            #expect("\(error)" == "fold globals: unknown format 9 at byte 1")
            #expect((error as? FoldDecodingError)?.code == .unknownFormat)
        }
        #expect(throws: FoldDecodingError.self) {
            try FoldState(settings: FoldSettings.fewEvents, globals: state.encodeGlobals(), sessions: [[1, 200]])
        }
    }
}
