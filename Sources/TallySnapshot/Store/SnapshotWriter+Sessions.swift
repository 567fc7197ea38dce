internal import TallyPosix
import TallyCore

/// The versioned session rows: the insert statement, bulk loading, binding a row, and settling
/// rows that no longer change from the hot table into the cold one.
extension SnapshotWriter {
    static func insertSessionSQL(table: String) -> String {
        """
        INSERT INTO \(table)(session_id, gen_from, gen_to, end_status, end_ts, started_at, last_activity_at,
            duration_ms, conversation_id, user_id, org_id, project_id, persona_id, messages, user_messages,
            assistant_messages, llm_calls, llm_errors, input_tokens, output_tokens, total_tokens, cost_nanos,
            unpriced_llm_calls, tool_calls, tool_errors, tool_timeouts, response_count, response_total_ms,
            max_response_ms, last_model, error_message, models_json, tools_json, state)
        VALUES (?1, ?2, NULL, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
            ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33)
        """
    }

    /// A first write with at least this many sessions builds the session indexes after inserting.
    static let bulkInsertThreshold = 20_000

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
        let bulk = !hasVersions && earlier.isEmpty && batch.count >= Self.bulkInsertThreshold
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
        let insertHot = try database.prepare(Self.insertSessionSQL(table: "sessions_hot"))
        let insertCold = hasVersions ? nil : try database.prepare(Self.insertSessionSQL(table: "sessions_cold"))
        let timedOutBefore = watermark.map { $0 - inactivityTimeoutMs }
        var written = 0
        var closed = 0
        var json = JSONBytes()
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
            try bindSession(row, state: state, generation: generation, to: insert, json: &json)
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

    /// Binds a session version to `insert`; `json` is a scratch buffer for its JSON texts.
    func bindSession(
        _ row: SessionRow, state: [UInt8], generation: Int64, to insert: Statement, json: inout JSONBytes
    ) throws(SQLiteError) {
        try insert.bind(1, row.sessionID)
        try insert.bind(2, generation)
        try insert.bind(3, row.endStatus?.sessionStatus.rawValue)
        try insert.bind(4, row.endTimestamp)
        try insert.bind(5, row.startedAt)
        try insert.bind(6, row.lastActivityAt)
        try insert.bind(7, (row.endTimestamp ?? row.lastActivityAt) - row.startedAt)
        try insert.bind(8, row.conversationID)
        try insert.bind(9, row.userID)
        try insert.bind(10, row.orgID)
        try insert.bind(11, row.projectID)
        try insert.bind(12, row.personaID)
        try insert.bind(13, row.messages)
        try insert.bind(14, row.userMessages)
        try insert.bind(15, row.assistantMessages)
        try insert.bind(16, row.llmCalls)
        try insert.bind(17, row.llmErrors)
        try insert.bind(18, row.inputTokens)
        try insert.bind(19, row.outputTokens)
        var totalTokens = row.inputTokens ?? 0
        totalTokens.addSaturating(row.outputTokens ?? 0)  // saturated only when `total_tokens` is flagged
        try insert.bind(20, totalTokens)
        try insert.bind(21, row.costNanos)
        try insert.bind(22, row.unpricedLLMCalls)
        try insert.bind(23, row.toolCalls)
        try insert.bind(24, row.toolErrors)
        try insert.bind(25, row.toolTimeouts)
        try insert.bind(26, row.responseCount)
        try insert.bind(27, row.responseTotalMs)
        try insert.bind(28, row.maxResponseMs)
        try insert.bind(29, row.lastModel)
        try insert.bind(30, row.errorMessage)
        json.removeAll()
        Records.writeSessionModels(row.models, to: &json)
        try insert.bind(31, text: json.bytes)
        json.removeAll()
        Records.writeSessionTools(row.tools, to: &json)
        try insert.bind(32, text: json.bytes)
        try insert.bind(33, blob: state)
    }

    /// Writes the rollup, timeline and alert rows that differ from what the last snapshot wrote.
}
