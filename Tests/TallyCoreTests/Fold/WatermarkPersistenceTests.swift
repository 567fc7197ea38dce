import Testing
@testable import TallyCore
import TallyCorpus

/// The watermark summary in persisted globals: a resumed fold continues exactly, and globals of
/// format 1 (no summary, only the largest `ts`) still load.
@Suite struct WatermarkPersistenceTests {
    /// Sessions stored as the snapshot writer stores them, from each `takeChanges()`.
    struct Store {
        var sessions: [String: [UInt8]] = [:]

        mutating func persist(_ state: inout FoldState) {
            let changes = state.takeChanges()
            for (row, bytes) in changes.sessions { sessions[row.sessionID] = bytes }
            for id in changes.droppedSessionIDs { sessions[id] = nil }
        }
    }

    @Test func aResumedFoldContinuesExactlyWithFarFutureEvents() throws {
        var generator = SplitMix64(seed: 17)
        var events = WatermarkTests.corpus(seed: 9, events: 4_000)
        for far in WatermarkTests.farFutureLogs(15, &generator) {
            events.insert(far, at: Int.random(in: 0...events.count, using: &generator))
        }
        let settings = WatermarkTests.settings
        var original = FoldState(settings: settings)
        var store = Store()
        for (index, event) in events.prefix(2_000).enumerated() {
            original.fold(event)
            if index % 300 == 299 { store.persist(&original) }
        }
        store.persist(&original)
        var rebuilt = try FoldState(settings: settings, globals: original.encodeGlobals(), sessions: store.sessions.values)
        #expect(rebuilt.watermarkSummary.timestamps == original.watermarkSummary.timestamps)
        #expect(rebuilt.watermark == original.watermark)
        #expect(AllViews(rebuilt) == AllViews(original))
        for (index, event) in events.dropFirst(2_000).enumerated() {
            original.fold(event)
            rebuilt.fold(event)
            if index % 300 == 299 {
                _ = original.takeChanges()
                _ = rebuilt.takeChanges()
            }
        }
        #expect(rebuilt.watermark == original.watermark)
        #expect(AllViews(rebuilt) == AllViews(original))
        #expect(original.watermark == WatermarkTests.foldLikeRun(events.filter { $0.timestamp < WatermarkTests.farFuture }).watermark)
    }

    /// `globals` as format 1 wrote them: the largest `ts` folded in place of the summary.
    static func formatOne(_ globals: [UInt8], of state: FoldState, latest: Int64?) -> [UInt8] {
        var summary = PackedWriter()
        state.watermarkSummary.encode(into: &summary)
        var old = PackedWriter()
        old.byte(1)
        old.optionalSigned(latest)
        return old.bytes + globals.dropFirst(1 + summary.bytes.count)
    }

    @Test func globalsWithoutASummaryDeriveItFromTheSessions() throws {
        let events = WatermarkTests.corpus(seed: 10, events: 3_000)
        var settings = WatermarkTests.settings
        settings.sessionRetentionMs = 30 * 24 * hour
        var state = FoldState(settings: settings)
        var store = Store()
        for event in events { state.fold(event) }
        store.persist(&state)
        let latest = try #require(events.map(\.timestamp).max())
        #expect(state.watermark == latest)

        // A healthy state of the old build: its watermark was the largest `ts`, and stays so.
        // Format 1 came before 1.1: the views are those of the same state in format 2, without the 1.1 figures.
        let formatTwo = try FoldState(settings: settings, globals: state.encodeGlobals(format: 2), sessions: store.sessions.values)
        let old = Self.formatOne(state.encodeGlobals(format: 2), of: state, latest: latest)
        let healthy = try FoldState(settings: settings, globals: old, sessions: store.sessions.values)
        #expect(healthy.watermark == latest)
        #expect(AllViews(healthy) == AllViews(formatTwo))

        // One whose largest `ts` was a far-future log line gets its watermark back from its sessions.
        let poisoned = Self.formatOne(state.encodeGlobals(format: 2), of: state, latest: WatermarkTests.farFuture)
        let healed = try FoldState(settings: settings, globals: poisoned, sessions: store.sessions.values)
        #expect(healed.watermark == latest)
        #expect(AllViews(healed) == AllViews(formatTwo))

        // Never ahead of what was folded: without sessions only the old watermark is known, one event.
        let bare = try FoldState(settings: settings, globals: old, sessions: [])
        #expect(bare.watermark == nil)
        #expect(bare.watermarkSummary.timestamps == [latest])
    }
}
