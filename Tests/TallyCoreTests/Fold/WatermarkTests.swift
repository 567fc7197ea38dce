import Testing
import TallyCorpus
@testable import TallyCore

/// The watermark rule (``WatermarkSummary``): what it is, that its bounded summary computes it in
/// any order and split, and that fewer than `watermarkQuorum` far-future events change nothing.
@Suite struct WatermarkTests {
    /// 9999-12-31T00:00:00Z.
    static let farFuture: Int64 = 253_402_214_400_000

    /// The rule straight from its definition, over every folded `ts`.
    static func ruleWatermark(_ timestamps: [Int64], quorum: Int, window: Int64) -> Int64? {
        let descending = timestamps.sorted(by: >)
        var watermark: Int64?
        for t in descending where descending.filter({ $0 <= t && $0 >= t - window }).count >= quorum {
            watermark = t
            break
        }
        if descending.count >= 2 * quorum { watermark = max(watermark ?? .min, descending[2 * quorum - 1]) }
        return watermark
    }

    /// Dense clusters, sparse points, ties and far outliers.
    static func randomTimestamps(_ generator: inout SplitMix64) -> [Int64] {
        var timestamps: [Int64] = []
        for _ in 0..<Int.random(in: 0...12, using: &generator) {
            let base = t0 + Int64.random(in: 0...(10 * hour), using: &generator)
            switch Int.random(in: 0..<4, using: &generator) {
            case 0:  // a dense cluster
                for _ in 0..<Int.random(in: 1...40, using: &generator) {
                    timestamps.append(base + Int64.random(in: 0...2_000, using: &generator))
                }
            case 1:  // sparse points
                for step in 0..<Int64.random(in: 1...20, using: &generator) { timestamps.append(base + step * 5_000) }
            case 2:  // ties
                timestamps += Array(repeating: base, count: Int.random(in: 1...20, using: &generator))
            default:  // far outliers
                for _ in 0..<Int.random(in: 1...6, using: &generator) {
                    timestamps.append(farFuture - Int64.random(in: 0...(1_000 * hour), using: &generator))
                }
            }
        }
        return timestamps.shuffled(using: &generator)
    }

    @Test func theSummaryGivesTheRuleOverEveryTimestampInAnyOrderAndSplit() {
        var generator = SplitMix64(seed: 7)
        for trial in 0..<400 {
            let quorum = [1, 2, 3, 5, 16][trial % 5]
            let window: Int64 = [0, 1_000, 60_000][trial % 3]
            let timestamps = Self.randomTimestamps(&generator)
            let expected = Self.ruleWatermark(timestamps, quorum: quorum, window: window)

            var whole = WatermarkSummary(quorum: quorum, window: window)
            var previous: Int64?
            for timestamp in timestamps where timestamp > whole.threshold {
                whole.insert(timestamp)
                // Folding never moves the watermark back.
                if let previous { #expect(whole.watermark.map { $0 >= previous } ?? false) }
                previous = whole.watermark
            }
            #expect(whole.watermark == expected, "trial \(trial): quorum \(quorum), window \(window), \(timestamps.sorted())")
            #expect(whole.count <= 3 * quorum - 1)

            var parts = Array(repeating: WatermarkSummary(quorum: quorum, window: window), count: 1 + trial % 4)
            for timestamp in timestamps {
                let part = Int.random(in: 0..<parts.count, using: &generator)
                if timestamp > parts[part].threshold { parts[part].insert(timestamp) }
            }
            var merged = parts[0]
            for part in parts.dropFirst() { merged.merge(part) }
            #expect(merged.watermark == expected, "trial \(trial), \(parts.count) parts")
            #expect(merged.timestamps == whole.timestamps)
        }
    }

    @Test func aQuorumOfOneIsTheLargestTimestamp() {
        var generator = SplitMix64(seed: 3)
        for _ in 0..<50 {
            let timestamps = Self.randomTimestamps(&generator)
            let state = folded(timestamps.map { logLine($0) }, settings: .fewEvents)
            #expect(state.watermark == timestamps.max())
        }
    }

    @Test func thereIsNoneUntilQuorumEventsLieWithinTheWindow() {
        var events = (0..<15).map { logLine(t0 + Int64($0) * minute) }
        var state = folded(events, settings: FoldSettings())
        #expect(state.watermark == nil)
        #expect(state.summary().watermark == nil)
        state.fold(logLine(t0 + 15 * minute))
        #expect(state.watermark == t0 + 15 * minute)

        // Sixteen events an hour and a half apart: never 16 within an hour; from the 32nd on, the
        // watermark trails the latest by 32 events.
        events = (0..<40).map { logLine(t0 + Int64($0) * 90 * minute) }
        state = folded(Array(events.prefix(31)), settings: FoldSettings())
        #expect(state.watermark == nil)
        state = folded(events, settings: FoldSettings())
        #expect(state.watermark == t0 + 8 * 90 * minute)
    }

    /// Statuses derived against no watermark: every session is active and none is past retention.
    @Test func withoutAWatermarkNoSessionTimesOut() {
        var state = folded([message("a", t0, .user), message("b", t0 + 3 * 24 * hour, .user)], settings: FoldSettings())
        #expect(state.watermark == nil)
        #expect(state.summary().sessions["ACTIVE"] == 2)
        _ = state.takeChanges()
        #expect(state.sessionRows().count == 2)
        #expect(state.summary().sessions["TIMEOUT"] == 0)
    }

    @Test func eventsOfSeveralPartsVouchTogetherForTheMergedWatermark() {
        // Sixteen events within a minute, four to a part: no part has a watermark of its own.
        var parts = Array(repeating: FoldState(settings: FoldSettings()), count: 4)
        for index in 0..<16 { parts[index % 4].fold(message("s\(index % 4)", t0 + Int64(index) * 1_000, .user)) }
        #expect(parts.allSatisfy { $0.watermark == nil })
        #expect(FoldState.watermark(ofMerged: parts) == t0 + 15_000)
        var merged = parts[0]
        for part in parts.dropFirst() { merged.merge(part) }
        #expect(merged.watermark == t0 + 15_000)
    }

    @Test func quorumFarFutureEventsDoMoveIt() throws {
        let corpus = Self.corpus()
        let normal = folded(corpus, settings: Self.settings).watermark
        #expect(normal != nil)

        // Sixteen within one window vouch for each other (rule 1).
        var state = folded(corpus + (0..<16).map { logLine(Self.farFuture + Int64($0)) }, settings: Self.settings)
        #expect(state.watermark == Self.farFuture + 15)
        _ = state.takeChanges()
        #expect(state.summary().sessions["ACTIVE"] == 0)
        #expect(state.sessionRows().isEmpty)

        // Sixteen a day apart do not, but thirty-two do (rule 2).
        let spread = (0..<32).map { logLine(Self.farFuture - Int64($0) * 24 * hour) }
        #expect(folded(corpus + spread.prefix(16), settings: Self.settings).watermark == normal)
        #expect(folded(corpus + spread, settings: Self.settings).watermark == Self.farFuture - 31 * 24 * hour)
    }

    @Test func aFarFutureEventIsFoldedIntoItsOwnSession() throws {
        let state = folded(Self.corpus() + [message("from-the-future", Self.farFuture, .user)], settings: Self.settings)
        let row = try #require(state.session("from-the-future"))
        #expect(row.messages == 1)
        #expect(row.lastActivityAt == Self.farFuture)
        #expect(row.status(watermark: state.watermark!, inactivityTimeoutMs: Self.settings.inactivityTimeoutMs) == .active)
        #expect(state.watermark! < Self.farFuture)
    }

    // MARK: Far-future events on a generated corpus

    /// Short timeouts and retention, so that the corpus (about two hours) has derived `TIMEOUT`s,
    /// sessions dropped by retention and ids forgotten by dedup; the default quorum (16).
    static var settings: FoldSettings {
        var settings = FoldSettings()
        settings.inactivityTimeoutMs = 10 * minute
        settings.sessionRetentionMs = 30 * minute
        settings.dedupWindowMs = 5 * minute
        return settings
    }

    /// The valid events of a generated corpus, in the order written, with retries 1–15 s later.
    static func corpus(seed: UInt64 = 5, events: Int = 6_000) -> [Event] {
        var configuration = CorpusConfiguration(seed: seed, events: events)
        configuration.duplicateFraction = 0.03
        var decoder = EventDecoder(keepsUnfoldedText: false)
        var decoded: [Event] = []
        for line in CorpusGenerator.bytes(configuration).split(separator: 0x0A) {
            if case .event(let event) = decoder.decode(Array(line)) { decoded.append(event) }
        }
        return decoded
    }

    /// Folds as `tally run` does: in the order given, taking the changes (a snapshot: retention
    /// swept, ids more than two windows behind forgotten) every 200 events.
    static func foldLikeRun(_ events: [Event]) -> FoldState {
        var state = FoldState(settings: settings)
        for (index, event) in events.enumerated() {
            state.fold(event)
            if index % 200 == 199 { _ = state.takeChanges() }
        }
        _ = state.takeChanges()
        return state
    }

    /// Folds as `tally replay` does: retention suspended while folding, in any order.
    static func foldLikeReplay(_ events: [Event]) -> FoldState {
        var state = FoldState(settings: settings)
        state.suspendRetention()
        for event in events { state.fold(event) }
        state.resumeRetention()
        _ = state.takeChanges()
        return state
    }

    /// `count` `log` events (without a session, with an `event_id`) dated in the year 9999.
    static func farFutureLogs(_ count: Int, _ generator: inout SplitMix64) -> [Event] {
        (0..<count).map { index in
            var event = logLine(farFuture + Int64.random(in: 0...(24 * hour), using: &generator))
            event.eventID = EventID("far-future-\(index)")
            return event
        }
    }

    /// Every view of `state`, the far-future events taken out of the event count.
    static func views(_ state: FoldState, less extra: Int) -> AllViews {
        var views = AllViews(state)
        views.summary.events -= Int64(extra)
        return views
    }

    @Test func fewerThanQuorumFarFutureEventsLeaveEveryViewAsItWas() {
        let corpus = Self.corpus()
        let baseline = Self.foldLikeRun(corpus)
        let expected = AllViews(baseline)
        // The corpus exercises all three: derived TIMEOUTs, sessions dropped by retention, retries found.
        #expect(expected.summary.sessions["TIMEOUT", default: 0] > 0)
        #expect(expected.summary.sessions["total", default: 0] > Int64(expected.sessions.count))
        #expect(expected.summary.duplicates > 0)

        var generator = SplitMix64(seed: 41)
        let shuffledCorpus = corpus.shuffled(using: &generator)
        let replayed = AllViews(Self.foldLikeReplay(shuffledCorpus))
        for count in 1..<Self.settings.watermarkQuorum {
            var events = corpus
            for far in Self.farFutureLogs(count, &generator) {
                events.insert(far, at: Int.random(in: 0...events.count, using: &generator))
            }
            let state = Self.foldLikeRun(events)
            #expect(state.watermark == baseline.watermark, "\(count) far-future events")
            #expect(Self.views(state, less: count) == expected, "\(count) far-future events")

            // Shuffled with the corpus, read as replay reads files: the same as the corpus shuffled alone.
            var shuffled = shuffledCorpus
            for far in Self.farFutureLogs(count, &generator) {
                shuffled.insert(far, at: Int.random(in: 0...shuffled.count, using: &generator))
            }
            #expect(Self.views(Self.foldLikeReplay(shuffled), less: count) == replayed, "\(count) far-future events, shuffled")
        }
    }

    /// Replay's shards: split by session (far-future events by `event_id`), retention applied in each
    /// at the merged watermark, then merged: the same as one fold.
    @Test func shardsMergeToTheWholeFoldWithFarFutureEvents() {
        var generator = SplitMix64(seed: 43)
        let events = (Self.corpus(seed: 6, events: 4_000) + Self.farFutureLogs(15, &generator)).shuffled(using: &generator)
        let whole = Self.foldLikeReplay(events)
        for count in 2...4 {
            var parts = Array(repeating: FoldState(settings: Self.settings), count: count)
            for index in parts.indices { parts[index].suspendRetention() }
            for event in events {
                let key = event.sessionID.map { UInt64(UInt(bitPattern: $0.hashValue)) } ?? event.eventID?.low ?? 0
                parts[Int(key % UInt64(count))].fold(event)
            }
            let watermark = FoldState.watermark(ofMerged: parts)
            #expect(watermark == whole.watermark)
            for index in parts.indices {
                parts[index].forgetEventIDs(behind: watermark!)
                parts[index].resumeRetention(watermark: watermark!)
                _ = parts[index].takeChanges()
            }
            var merged = parts[0]
            for part in parts.dropFirst() { merged.merge(part) }
            #expect(merged.watermark == whole.watermark, "\(count) shards")
            #expect(AllViews(merged) == AllViews(whole), "\(count) shards")
        }
    }
}
