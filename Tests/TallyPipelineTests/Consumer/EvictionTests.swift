import CSQLite
import Foundation
import Testing
import TallyCore
import TallyCorpus
import TallyEvents
import TallyPipeline
import TallySnapshot
import TallySpool

/// `sessions.evict_after`: settled sessions leave memory after the snapshot that wrote them and
/// come back for a late event, for retention, or when a segment of theirs is deleted; every answer
/// is the same as without eviction.
@Suite struct EvictionTests {
    /// Writes the same spool into each of `spools`: a "main" writer with most lines in order and a
    /// "late" writer with every fifth line in reverse order (read along with main's, its events
    /// come for sessions that ended and left memory long before).
    func fill(_ spools: [String], seed: UInt64, events: Int) throws {
        let bytes = CorpusGenerator.bytes(CorpusConfiguration(seed: seed, events: events, invalidFraction: 0.01))
        let lines = bytes.split(separator: 0x0A).map { Array($0) + [0x0A] }
        let main = lines.indices.filter { $0 % 5 != 0 }.map { lines[$0] }.joined()
        let late = lines.indices.filter { $0 % 5 == 0 }.reversed().map { lines[$0] }.joined()
        for spool in spools {
            try appendSealed(Array(main), spool: spool, producer: "main", maxSegmentBytes: 16 << 10)
            try appendSealed(Array(late), spool: spool, producer: "late", maxSegmentBytes: 16 << 10)
        }
    }

    /// Every session id of the newest snapshot.
    func sessionIDs(_ scratch: ConsumerScratch) throws -> [String] {
        let text = try scratch.query(.sessions)
        let rows = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] ?? []
        return rows.compactMap { $0["session_id"] as? String }.sorted()
    }

    /// A session's events as read back from its spool through the frame index, and what was missing.
    func events(_ scratch: ConsumerScratch, _ session: String) throws -> String {
        var rows: [String] = []
        let report = try SessionEvents.read(snapshot: SnapshotReader(path: scratch.settings.snapshots), session: session) { row in
            rows.append("\(row.timestamp) \(row.type) \(row.offset) \(String(decoding: row.event, as: UTF8.self))")
        }
        return rows.joined(separator: "\n") + "\nmissing \(report.missingEvents) damaged \(report.damagedEvents)"
    }

    /// The session rows a snapshot store keeps in its newest generation (retention drops rows;
    /// queries hide sessions past retention whether or not their rows are dropped yet).
    func storedSessionRows(_ scratch: ConsumerScratch) throws -> Int {
        var database: OpaquePointer?
        guard sqlite3_open_v2(scratch.settings.snapshots + "/sessions.db", &database, SQLITE_OPEN_READONLY, nil) == SQLITE_OK else {
            throw CocoaError(.fileReadUnknown)
        }
        defer { sqlite3_close(database) }
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(database, "SELECT count(*) FROM sessions WHERE gen_to IS NULL", -1, &statement, nil) == SQLITE_OK,
            sqlite3_step(statement) == SQLITE_ROW
        else { throw CocoaError(.fileReadCorruptFile) }
        defer { sqlite3_finalize(statement) }
        return Int(sqlite3_column_int64(statement, 0))
    }

    /// Pipelines with snapshots after every round, the settings `extra`, with and without eviction.
    @Test(arguments: [
        "",
        // (under `sessions:`) Short timeouts and session retention: evicted sessions time out and are dropped.
        "  inactivity_timeout: 2m\nretention:\n  sessions: 10m\n",
        // Segments deleted as soon as they are folded: evicted sessions' frames are forgotten.
        "retention:\n  segments: 1ms\n",
    ])
    func evictionAfterEverySnapshotChangesNoAnswer(extra: String) async throws {
        func yaml(_ evict: String) -> String {
            "snapshot:\n  every: 1ms\n  keep: 2\nsessions:\n  evict_after: \(evict)\n" + extra
        }
        let evicting = try ConsumerScratch(yaml: yaml("0ms"), name: "evicting-\(extra.count)")
        defer { evicting.cleanup() }
        let keeping = try ConsumerScratch(yaml: yaml("never"), name: "keeping-\(extra.count)")
        defer { keeping.cleanup() }
        try fill([evicting.spool, keeping.spool], seed: 41, events: 8_000)

        try await evicting.runOnce(workers: 1)
        try await keeping.runOnce(workers: 1)

        let health = try evicting.health()
        #expect((health["sessions_reloaded"] as? Int ?? 0) > 20, "\(health)")
        #expect((health["sessions_evicted"] as? Int ?? 0) > 20, "\(health)")
        #expect(try keeping.health()["sessions_evicted"] as? Int == 0)

        #expect(NSDictionary(dictionary: try evicting.summaryWithoutTime()).isEqual(to: try keeping.summaryWithoutTime()))
        for subject in ConsumerTests.subjects {
            #expect(try evicting.query(subject) == keeping.query(subject), "\(subject) differs")
        }
        #expect(try storedSessionRows(evicting) == storedSessionRows(keeping))
        let sessions = try sessionIDs(evicting)
        #expect(sessions == (try sessionIDs(keeping)))
        #expect(sessions.count > 10, "\(sessions.count) sessions retained")
        for session in sessions {
            #expect(try evicting.query(.session(session)) == keeping.query(.session(session)), "session \(session) differs")
            #expect(try events(evicting, session) == events(keeping, session), "events of \(session) differ")
        }
    }

    @Test func aRestartReadsEverySessionAndEvictsTheSettledOnesAgain() async throws {
        let scratch = try ConsumerScratch(yaml: "sessions:\n  evict_after: 0ms\n")
        defer { scratch.cleanup() }
        let parts = corpusParts(seed: 43, events: 6_000, parts: 3, invalidFraction: 0.01)
        for (index, part) in parts.enumerated() {
            try appendSealed(part, spool: scratch.spool, producer: index == 1 ? "web" : "api", maxSegmentBytes: 24 << 10)
            try await scratch.runOnce()
        }
        try ConsumerTests().expectSameAsReplay(scratch)
        let health = try scratch.health()
        #expect((health["sessions_evicted"] as? Int ?? 0) > 0, "\(health)")
    }

    @Test func aSessionComesBackForALateEventAndOneThatCannotIsReported() throws {
        var settings = FoldSettings()
        settings.watermarkQuorum = 1
        var fold = FoldState(settings: settings)
        var decoder = EventDecoder()
        func foldLine(_ text: String) {
            if case .event(let event) = Array(text.utf8).withUnsafeBytes({ decoder.decode($0) }) { fold.fold(event) }
        }
        var store: [String: [UInt8]] = [:]
        func snapshot() {
            for (row, state) in fold.takeChanges().sessions { store[row.sessionID] = state }
            _ = fold.takeFrameChanges()
        }
        fold.sessionReloader = SessionReloader { id in store[id].map { ($0, nil) } }
        foldLine(#"{"type":"session_start","ts":1761213600000,"session_id":"s-gone","user_id":"u1"}"#)
        foldLine(#"{"type":"session_end","ts":1761213660000,"session_id":"s-gone","status":"completed"}"#)
        foldLine(#"{"type":"session_start","ts":1761300000000,"session_id":"s-other","user_id":"u2"}"#)
        snapshot()
        let before = fold.summary()
        #expect(fold.evictSettledSessions(idleMs: 3_600_000) == 1)
        #expect(fold.residentSessionCount == 1 && fold.evictedSessionCount == 1)
        #expect(fold.summary() == before)

        foldLine(#"{"type":"message","ts":1761213630000,"session_id":"s-gone","role":"user"}"#)
        #expect(fold.reloadedSessionCount == 1 && fold.takeReloadFailure() == nil)
        #expect(fold.summary().sessions == before.sessions)
        snapshot()
        #expect(fold.evictSettledSessions(idleMs: 3_600_000) == 1)

        fold.sessionReloader = SessionReloader { _ in throw CocoaError(.fileReadCorruptFile) }
        foldLine(#"{"type":"message","ts":1761213640000,"session_id":"s-gone","role":"assistant"}"#)
        let failure = fold.takeReloadFailure()
        #expect(failure?.contains("cannot read session s-gone back") == true, "\(failure ?? "")")
        #expect(fold.takeReloadFailure() == nil)
    }

    @Test func anEvictedSessionPastRetentionIsReadBackAndDropped() throws {
        var settings = FoldSettings()
        settings.watermarkQuorum = 1
        settings.sessionRetentionMs = 3_600_000
        var fold = FoldState(settings: settings)
        var decoder = EventDecoder()
        func foldLine(_ text: String) {
            if case .event(let event) = Array(text.utf8).withUnsafeBytes({ decoder.decode($0) }) { fold.fold(event) }
        }
        var store: [String: [UInt8]] = [:]
        fold.sessionReloader = SessionReloader { id in store[id].map { ($0, nil) } }
        foldLine(#"{"type":"session_start","ts":1761213600000,"session_id":"s-old","user_id":"u1"}"#)
        foldLine(#"{"type":"session_end","ts":1761213660000,"session_id":"s-old","status":"completed"}"#)
        foldLine(#"{"type":"session_start","ts":1761215000000,"session_id":"s-next","user_id":"u2"}"#)
        for (row, state) in fold.takeChanges().sessions { store[row.sessionID] = state }
        _ = fold.takeFrameChanges()
        #expect(fold.evictSettledSessions(idleMs: 0) == 1)

        // Two hours later s-old is past retention: it is read back and dropped like a resident one.
        foldLine(#"{"type":"session_start","ts":1761221000000,"session_id":"s-later","user_id":"u3"}"#)
        let changes = fold.takeChanges()
        #expect(changes.droppedSessionIDs == ["s-old"])
        #expect(fold.evictedSessionCount == 0 && fold.reloadedSessionCount == 1)
        #expect(fold.summary().sessions["total"] == 3)
    }
}
