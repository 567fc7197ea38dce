import Testing
@testable import TallyCore
import TallyCorpus

@Suite struct OrderIndependenceTests {
    static var settings: FoldSettings {
        var settings = FoldSettings()
        settings.inactivityTimeoutMs = 30 * minute
        settings.slowResponseMs = 20_000
        settings.slowToolMs = 10_000
        settings.maxSessionDurationMs = 90 * minute
        settings.accessBurst = 3
        settings.pricing = [
            // 1.1: a price that changes an hour in, with a cache-write price from then on.
            "model-a": [
                ModelPrice(inputPicosPerToken: 3_000_000, outputPicosPerToken: 15_000_000, cachedInputPicosPerToken: 300_000, from: t0),
                ModelPrice(
                    inputPicosPerToken: 2_500_000, outputPicosPerToken: 12_000_000, cachedInputPicosPerToken: 250_000,
                    cacheWritePicosPerToken: 3_750_000, from: t0 + hour),
            ],
            "model-b": [ModelPrice(inputPicosPerToken: 1_500, outputPicosPerToken: 2_500)],
        ]
        // Fewer than the distinct error groups of the events: the bound and `(other)` are exercised.
        settings.errorGroupLimit = 6
        return settings
    }

    /// About 2,000 events over 3 hours and 60 sessions, with ties on `ts`, late events, log lines
    /// without a session, and exact copies of events that carry an `event_id`.
    static func randomEvents(seed: UInt64) -> [Event] {
        var generator = SplitMix64(seed: seed)
        func pick<T>(_ values: [T]) -> T { values.randomElement(using: &generator)! }
        func maybe<T>(_ value: @autoclosure () -> T, _ percent: Int = 50) -> T? {
            Int.random(in: 0..<100, using: &generator) < percent ? value() : nil
        }
        var events: [Event] = []
        var nextID = 0
        while events.count < 1_900 {
            let session = "s\(Int.random(in: 0..<60, using: &generator))"
            // Coarse timestamps make ties on `ts` frequent.
            let ts = t0 + Int64.random(in: 0..<(3 * 3_600), using: &generator) * 1_000 / 4 * 4
            let context = SessionContext(
                conversationID: maybe("c\(Int.random(in: 0..<3, using: &generator))", 20),
                userID: maybe(pick(["u1", "u2", "u3", "u4"]), 30),
                orgID: maybe(pick(["o1", "o2"]), 20),
                projectID: maybe(pick(["p1", "p2", "p3"]), 20),
                personaID: maybe("persona", 10))
            let payload: Event.Payload
            switch Int.random(in: 0..<100, using: &generator) {
            case 0..<5: payload = .sessionStart
            case 5..<9:
                let error = maybe(pick(["x", "y", "db timeout after \(Int.random(in: 1...99, using: &generator)) s"]), 40)
                payload = .sessionEnd(.init(status: pick(Event.EndStatus.allCases), errorMessage: error))
            case 9..<50: payload = .message(.init(role: pick(Event.Role.allCases)))
            case 50..<70:
                let input = maybe(Int64.random(in: 0...120_000, using: &generator), 80)
                let output = maybe(Int64.random(in: 0...4_000, using: &generator), 80)
                let cached = input.flatMap { input in maybe(Int64.random(in: 0...input, using: &generator), 30) }
                let writes = input.flatMap { input in maybe(Int64.random(in: 0...(input - (cached ?? 0)), using: &generator), 30) }
                let errors = ["overloaded", "rate limited \(Int.random(in: 1...40, using: &generator)) s", "e\(Int.random(in: 0..<12, using: &generator))x"]
                payload = .llmCall(.init(
                    model: pick(["model-a", "model-b", "model-c"]),
                    inputTokens: input,
                    outputTokens: output,
                    cachedInputTokens: cached,
                    reasoningTokens: output.flatMap { output in maybe(Int64.random(in: 0...output, using: &generator), 30) },
                    cacheWriteInputTokens: writes,
                    costNanos: maybe(Int64.random(in: 0...5_000_000, using: &generator), 20),
                    latencyMs: maybe(Int64.random(in: 50...60_000, using: &generator), 90),
                    ttftMs: maybe(Int64.random(in: 10...3_000, using: &generator), 50),
                    status: pick([.success, .success, .success, .error, .timeout]),
                    errorMessage: maybe(pick(errors), 70),
                    contextWindow: maybe(128_000, 50)))
            case 70..<85:
                payload = .toolCall(.init(
                    toolName: pick(["search", "fetch", "calc"]), status: pick([.success, .success, .error, .timeout]),
                    executionTimeMs: maybe(Int64.random(in: 0...40_000, using: &generator), 90),
                    errorMessage: maybe("upstream \(pick([500, 502, 503])) in \(Int.random(in: 1...9, using: &generator)) ms", 60)))
            case 85..<92: payload = .access(.init(outcome: pick(Event.AccessOutcome.allCases)))
            case 92..<96:
                payload = .feedback(.init(
                    rating: maybe(pick([1, 2, 3.5, 4, 4.25, 5]), 70), sentiment: maybe(pick(Event.Sentiment.allCases), 60)))
            default: payload = .log(.init(level: pick(Event.LogLevel.allCases), message: "log"))
            }
            let sessionID: String? = if case .log = payload, Bool.random(using: &generator) { nil } else { session }
            var eventID: String?
            if Int.random(in: 0..<100, using: &generator) < 40 {
                nextID += 1
                eventID = "e\(nextID)"
            }
            let event = Event(timestamp: ts, sessionID: sessionID, eventID: eventID.map { EventID($0) }, context: context, payload: payload)
            events.append(event)
            if eventID != nil, Int.random(in: 0..<100, using: &generator) < 15 { events.append(event) }  // a retry
        }
        return events
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func foldIsIndependentOfOrderAndOfSplittingIntoMergedParts(seed: UInt64) {
        let events = Self.randomEvents(seed: seed)
        let inOrder = AllViews(folded(events.sorted { $0.timestamp < $1.timestamp }, settings: Self.settings))
        #expect(inOrder.summary.duplicates > 0)
        #expect(inOrder.alerts.count > 0)
        #expect(Set(inOrder.alerts.map(\.kind)).count == AlertView.Kind.allCases.count)
        // The 1.1 figures are there to compare: the bound cut groups, feedback and personas were folded.
        #expect(inOrder.errors.contains { $0.message == ErrorGroupView.otherMessage })
        #expect(inOrder.errors.count > Self.settings.errorGroupLimit)
        #expect(inOrder.summary.ratings > 0 && inOrder.summary.cacheWriteInputTokens != nil)
        #expect(!inOrder.personas.isEmpty && inOrder.sessions.contains { $0.logErrors > 0 })

        var generator = SplitMix64(seed: seed &* 31)
        let shuffled = AllViews(folded(events.shuffled(using: &generator), settings: Self.settings))
        #expect(shuffled == inOrder)

        for partCount in 2...5 {
            var parts = Array(repeating: FoldState(settings: Self.settings), count: partCount)
            // Copies of one event_id go to one part (as when parts split by session or event id);
            // everything else, including the events of one session, is spread at random.
            for event in events.shuffled(using: &generator) {
                let part = event.eventID.map { Int($0.low % UInt64(partCount)) }
                    ?? Int.random(in: 0..<partCount, using: &generator)
                parts[part].fold(event)
            }
            var merged = parts[0]
            for part in parts.dropFirst() { merged.merge(part) }
            let views = AllViews(merged)
            #expect(views == inOrder, "\(partCount) parts")
            #expect(views.summary.duplicates == inOrder.summary.duplicates)
            // Every session of every part is a change of the merged state (what the snapshot writer stores).
            let retained = Set(merged.sessionRows().map(\.sessionID))
            #expect(Set(merged.takeChanges().sessions.map(\.row.sessionID)) == retained, "\(partCount) parts")
        }
    }

    /// Parts that took their changes before the merge (as replay's shards do, in parallel): the merged
    /// views are the same, and the parts' changes with the merged state's own (which win) hold every
    /// retained session's current row, as the snapshot writer applies them.
    @Test(arguments: [UInt64(1), 2, 3])
    func partsThatTookTheirChangesMergeIntoTheSameViewsAndRows(seed: UInt64) {
        let events = Self.randomEvents(seed: seed)
        let inOrder = folded(events.sorted { $0.timestamp < $1.timestamp }, settings: Self.settings)
        var generator = SplitMix64(seed: seed &* 37)
        for partCount in 2...4 {
            var parts = Array(repeating: FoldState(settings: Self.settings), count: partCount)
            for event in events.shuffled(using: &generator) {
                // By session where there is one (most sessions in one part), some sessions spread over parts.
                let spread = event.sessionID?.hasSuffix("3") ?? true
                let part = spread
                    ? event.eventID.map { Int($0.low % UInt64(partCount)) } ?? 0
                    : Int(UInt(bitPattern: event.sessionID!.hashValue) % UInt(partCount))
                parts[part].fold(event)
            }
            var latest: [String: SessionRow] = [:]
            for index in parts.indices {
                for change in parts[index].takeChanges().sessions { latest[change.row.sessionID] = change.row }
            }
            var merged = parts[0]
            for part in parts.dropFirst() { merged.merge(part) }
            #expect(AllViews(merged) == AllViews(inOrder), "\(partCount) parts")
            for change in merged.takeChanges().sessions { latest[change.row.sessionID] = change.row }
            let rows = Dictionary(uniqueKeysWithValues: merged.sessionRows().map { ($0.sessionID, $0) })
            #expect(latest == rows, "\(partCount) parts")
            #expect(AllViews(merged) == AllViews(inOrder), "\(partCount) parts, after takeChanges")
        }
    }
}
