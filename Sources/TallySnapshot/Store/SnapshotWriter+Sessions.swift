internal import TallyPosix
import TallyCore

/// The versioned session rows: the insert statement, bulk loading, binding a row, and settling
/// rows that no longer change from the hot table into the cold one.
extension SnapshotWriter {
    /// A first write with at least this many sessions builds the session indexes after inserting
    /// (``bulkInsertThreshold``, which tests lower).
    static let defaultBulkInsertThreshold = 20_000

    /// Writes `batch` as versions of `generation`. Sessions of `earlier` (a batch already written as
    /// this generation) get their version of this generation replaced: it is deleted, not closed.
    func writeSessions(
        _ batch: SessionBatch, replacing earlier: SessionBatch = SessionBatch(),
        generation: Int64, watermark: Int64?, inactivityTimeoutMs: Int64
    ) throws -> (written: Int, closed: Int) {
        guard !batch.isEmpty else { return (0, 0) }
        // Before the first committed snapshot the session tables are empty (`open` and `rollBack`
        // remove the rows of uncommitted generations): there is no version to close, settled versions
        // go straight to `sessions_cold`, and a large write builds the indexes once, after its inserts.
        let hasVersions = committedGeneration > 0
        let bulk = !hasVersions && earlier.isEmpty && batch.count >= bulkInsertThreshold
        if bulk {
            for index in Schema.sessionIndexNames { try database.execute("DROP INDEX IF EXISTS \(index)") }
        }
        let closes = try Schema.sessionTableNames.map { table in
            try database.prepare("UPDATE \(table) SET gen_to = ?1 WHERE session_id = ?2 AND gen_to IS NULL")
        }
        let earlierIDs = earlier.isEmpty ? [] : earlier.sessionIDs()
        let deletes = earlierIDs.isEmpty ? [] : try Schema.sessionTableNames.map { table in
            try database.prepare("DELETE FROM \(table) WHERE session_id = ?2 AND gen_from = ?1")
        }
        let insertHot = try database.prepare(SessionColumns.insertSQL(table: "sessions_hot"))
        let insertCold = hasVersions ? nil : try database.prepare(SessionColumns.insertSQL(table: "sessions_cold"))
        let timedOutBefore = watermark.map { $0 - inactivityTimeoutMs }
        var written = 0
        var closed = 0
        var version = SessionColumn.Version(row: SessionRow(sessionID: "", startedAt: 0, lastActivityAt: 0), state: [], generation: generation)
        try batch.forEach { sessionID, row, state in
            // The earlier batch closed the session's older versions; its own version goes.
            let replaces = earlierIDs.contains(sessionID)
            for statement in replaces ? deletes : hasVersions ? closes : [] {
                try statement.bind(1, generation)
                try statement.bind(2, sessionID)
                try statement.run()
                if replaces { written -= database.changes } else { closed += database.changes }
            }
            guard let row else { return }
            let settled = row.endStatus != nil || timedOutBefore.map { row.lastActivityAt < $0 } ?? false
            let insert = settled ? insertCold ?? insertHot : insertHot
            version.row = row
            version.state = state
            try SessionColumns.bind(&version, to: insert)
            try insert.run()
            written += 1
        }
        if bulk { try database.execute(Schema.tables) }
        return (written, closed)
    }

    /// A version waits this many generations in `sessions_hot` before it may settle, so late
    /// events after a `session_end` usually find it still hot.
    static let settleAfterGenerations: Int64 = 2
    /// A version unchanged this long settles even while its session is active.
    static let settleIdleGenerations: Int64 = 360

    /// At most this many versions move from `sessions_hot` to `sessions_cold` in one write, so a
    /// burst of settled sessions moves over several writes instead of stalling one.
    static let settleBatch = 4_096

    /// Moves up to ``settleBatch`` open versions that settled (ended, timed out, or idle) from
    /// `sessions_hot` to `sessions_cold`, unchanged. Visibility does not change; each session moves about once.
    func settleSessions(generation: Int64, watermark: Int64?, inactivityTimeoutMs: Int64) throws {
        var condition = "gen_to IS NULL AND gen_from <= \(generation - Self.settleAfterGenerations) AND "
            + "(end_status IS NOT NULL OR gen_from <= \(generation - Self.settleIdleGenerations)"
        if let watermark {
            condition += " OR last_activity_at < \(watermark - inactivityTimeoutMs)"
        }
        condition += ")"
        try database.execute("""
            CREATE TEMP TABLE IF NOT EXISTS settling(row INTEGER PRIMARY KEY);
            DELETE FROM settling;
            INSERT INTO settling SELECT rowid FROM sessions_hot WHERE \(condition) LIMIT \(Self.settleBatch);
            INSERT INTO sessions_cold SELECT * FROM sessions_hot WHERE rowid IN settling;
            DELETE FROM sessions_hot WHERE rowid IN settling;
            """)
    }
}
