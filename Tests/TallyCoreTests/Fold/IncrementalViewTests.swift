import Testing
@testable import TallyCore
import TallyCorpus

/// The session-derived views come from cached sums refreshed by `takeChanges()`; these tests compare
/// them with a recomputation over every session (what the views computed before the caches existed).
@Suite struct IncrementalViewTests {
    static var settings: FoldSettings {
        var settings = OrderIndependenceTests.settings
        settings.sessionRetentionMs = 40 * minute
        return settings
    }

    /// The session-derived views recomputed from every live session and the retired totals.
    struct Recomputed: Equatable {
        var sessions: [String: Int64]
        var rollups: [[RollupView]]
        var timeline: [TimelineBucket]
        var alerts: [AlertView]

        init(_ state: FoldState) {
            let watermark = state.statusWatermark
            let settings = state.settings
            var counts: [String: Int64] = ["ACTIVE": 0]
            for status in Event.EndStatus.allCases {
                counts[status.sessionStatus.rawValue] = state.retired.statusCounts[Int(status.rawValue)]
            }
            for session in state.sessions.states {
                let status = session.end?.status.sessionStatus.rawValue
                    ?? (isMore(than: settings.inactivityTimeoutMs, from: session.lastTimestamp, to: watermark) ? "TIMEOUT" : "ACTIVE")
                counts[status, default: 0] += 1
            }
            counts["total"] = counts.values.reduce(0, +)
            sessions = counts

            rollups = RollupKey.allCases.map { key in
                var totals = state.retired.rollups[key.index]
                for session in state.sessions.states {
                    let timedOut = isMore(than: settings.inactivityTimeoutMs, from: session.lastTimestamp, to: watermark)
                    let status = session.end?.status ?? (timedOut ? .timeout : nil)
                    let responses = session.responses(slowerThan: settings.slowResponseMs)
                    if let value = key.key(of: session) {
                        totals[value, default: RollupTotals()].add(session, status: status, responses: responses)
                    }
                }
                return totals.sorted { $0.key < $1.key }.map { $0.value.view(key: $0.key) }
            }

            var buckets = state.timelineTotals
            for session in state.sessions.states {
                buckets[floorDivide(session.startedAt, minute), default: TimelineTotals()].sessionsStarted += 1
                let endedAt = session.end?.timestamp
                    ?? (session.isEnded(watermark: watermark, settings: settings) ? session.lastTimestamp : nil)
                if let endedAt { buckets[floorDivide(endedAt, minute), default: TimelineTotals()].sessionsEnded += 1 }
            }
            let expectedStarts = buckets.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }
            timeline = expectedStarts.map { $0.value.bucket(minute: $0.key) }

            var alerts = state.retired.alerts
            var access = state.accessCounts
            for session in state.sessions.states {
                session.appendAlerts(to: &alerts, settings: settings)
                if let userID = session.userID?.value {
                    for hourCount in session.accessWithoutUser where hourCount.count != 0 {
                        access[UserHour(userID: userID, hour: hourCount.hour), default: 0] += hourCount.count
                    }
                }
            }
            for (userHour, count) in access where count > settings.accessBurst {
                alerts.append(AlertView(
                    kind: .accessBurst, sessionID: nil, userID: userHour.userID, timestamp: userHour.hour * hour,
                    value: Double(count), threshold: Double(settings.accessBurst),
                    detail: "user \(userHour.userID) had \(count) denied or rate-limited access events in one hour"))
            }
            alerts.sort { AlertView.sortsBefore($0, $1) }
            self.alerts = alerts
        }

        /// What the incremental views of `state` show.
        static func shown(by state: FoldState) -> Recomputed {
            var shown = Recomputed(state)
            shown.sessions = state.summary().sessions
            shown.rollups = RollupKey.allCases.map { state.rollups(by: $0) }
            shown.timeline = state.timeline()
            shown.alerts = state.alerts()
            return shown
        }
    }

    static func expectViewsMatchRecomputation(_ state: FoldState, _ step: String) {
        let recomputed = Recomputed(state)
        let shown = Recomputed.shown(by: state)
        #expect(shown.sessions == recomputed.sessions, "sessions after \(step)")
        #expect(shown.rollups == recomputed.rollups, "rollups after \(step)")
        #expect(shown.timeline == recomputed.timeline, "timeline after \(step)")
        #expect(shown.alerts == recomputed.alerts, "alerts after \(step)")
    }

    @Test(arguments: [UInt64(11), 12, 13, 14])
    func incrementalViewsEqualARecomputationAfterFoldsChangesMergesAndRetirements(seed: UInt64) throws {
        var generator = SplitMix64(seed: seed)
        // Mostly in time order, so sessions time out and pass retention while folding.
        let events = OrderIndependenceTests.randomEvents(seed: seed).sorted { $0.timestamp < $1.timestamp }
        let chunks = stride(from: 0, to: events.count, by: 150).map { Array(events[$0..<min($0 + 150, events.count)]) }
        var state = FoldState(settings: Self.settings)
        var retiredAtLeastOnce = false
        for (number, chunk) in chunks.enumerated() {
            var shuffled = chunk
            shuffled.shuffle(using: &generator)
            if number % 3 == 2 {
                // Fold part of the chunk into a second state split by session, then merge it.
                var other = FoldState(settings: Self.settings)
                for event in shuffled {
                    if let session = event.sessionID, session.hasSuffix("7") { other.fold(event) } else { state.fold(event) }
                }
                Self.expectViewsMatchRecomputation(other, "folding part \(number)")
                _ = other.takeChanges()
                state.merge(other)
                Self.expectViewsMatchRecomputation(state, "merging part \(number)")
            } else {
                for event in shuffled { state.fold(event) }
                Self.expectViewsMatchRecomputation(state, "folding chunk \(number)")
            }
            if Bool.random(using: &generator) {
                let changes = state.takeChanges()
                retiredAtLeastOnce = retiredAtLeastOnce || !changes.droppedSessionIDs.isEmpty
                Self.expectViewsMatchRecomputation(state, "takeChanges after chunk \(number)")
            }
        }
        // A late event that revives a timed-out session, then later events that time everything out.
        let last = events.last!.timestamp
        state.fold(message("s1", last - 31 * minute, .user))
        Self.expectViewsMatchRecomputation(state, "a late event")
        state.fold(logLine(last + 45 * minute))
        Self.expectViewsMatchRecomputation(state, "the watermark moving on")
        _ = state.takeChanges()
        Self.expectViewsMatchRecomputation(state, "the last takeChanges")
        #expect(retiredAtLeastOnce || !state.retired.alerts.isEmpty || state.retired.statusCounts.reduce(0, +) > 0)

        let restored = try FoldState(
            settings: Self.settings, globals: state.encodeGlobals(), sessions: state.sessions.states.map { $0.encoded() })
        Self.expectViewsMatchRecomputation(restored, "a persistence round trip")
        #expect(AllViews(restored) == AllViews(state))
    }

    @Test func aSessionTimesOutInTheViewsWhenTheWatermarkPassesItsInactivityTimeout() {
        var settings = FoldSettings.fewEvents
        settings.inactivityTimeoutMs = 10 * minute
        var state = folded([sessionStart("a", t0, context(user: "u1")), message("a", t0 + minute, .user)], settings: settings)
        _ = state.takeChanges()
        #expect(state.summary().sessions["ACTIVE"] == 1)
        state.fold(logLine(t0 + 12 * minute))
        // Not refreshed yet: the views derive the timeout on the fly.
        #expect(state.summary().sessions["ACTIVE"] == 0)
        #expect(state.summary().sessions["TIMEOUT"] == 1)
        #expect(state.timeline().first { $0.bucketStart == t0 + minute }?.sessionsEnded == 1)
        #expect(state.rollups(by: .user).map { [$0.active, $0.timeout] } == [[0, 1]])
        _ = state.takeChanges()
        #expect(state.summary().sessions["TIMEOUT"] == 1)
        #expect(state.rollups(by: .user).map { [$0.active, $0.timeout] } == [[0, 1]])
        #expect(state.live.activeSessions.isEmpty)
        // A late event revives it.
        state.fold(message("a", t0 + 5 * minute, .assistant))
        state.fold(message("a", t0 + 11 * minute, .user))
        #expect(state.summary().sessions["ACTIVE"] == 1)
        #expect(state.summary().sessions["TIMEOUT"] == 0)
        // One response pair (user at +1 min, assistant at +5 min); active again, none completed.
        #expect(state.rollups(by: .user) == [{
            var view = RollupView(key: "u1")
            view.sessions = 1; view.active = 1; view.successRate = 0; view.responseCount = 1; view.responseTotalMs = 240_000
            return view
        }()])
    }
}
