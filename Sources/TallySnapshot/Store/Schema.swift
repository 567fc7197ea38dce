import TallyCore

/// The schema of `sessions.db`. Every data table is versioned: a row is visible in
/// generation G when `gen_from <= G AND (gen_to IS NULL OR gen_to > G)`. The `current_*`
/// views show the newest committed generation (the largest row of `generations`),
/// with statuses derived, times as RFC 3339 text and money as USD.
enum Schema {
    static let version: Int64 = 1

    /// For a write into an empty database that nothing refers to yet: no journal and no fsync
    /// by SQLite (the writer fsyncs the file once, then goes back to ``writerPragmas``), and a
    /// smaller page cache: without a journal a full cache spills its pages straight to the file,
    /// and a replay's first write is when the fold holds every session in memory too.
    static let unjournaledPragmas = """
        PRAGMA journal_mode=OFF;
        PRAGMA synchronous=OFF;
        PRAGMA cache_size=-16384;
        """

    /// Connection settings for the writer: WAL so readers never block it, FULL so a
    /// committed transaction survives power loss. A new database gets 16 KiB pages (before WAL,
    /// which fixes the page size): a first write of many sessions builds a quarter of the B-tree
    /// pages and makes a quarter of the writes of 4 KiB pages; an existing database keeps its own.
    static let writerPragmas = """
        PRAGMA page_size=16384;
        PRAGMA journal_mode=WAL;
        PRAGMA synchronous=FULL;
        PRAGMA cache_size=-65536;
        PRAGMA temp_store=MEMORY;
        PRAGMA journal_size_limit=67108864;
        """

    /// Session versions live in two tables of the same shape: `sessions_hot` takes every new
    /// version; a version that settled (its session ended, timed out, or stopped changing) moves
    /// to `sessions_cold` unchanged. Writes touch the small hot indexes, so their cost follows
    /// what changed, not the number of retained sessions. The view `sessions` is both.
    static let sessionTableNames = ["sessions_hot", "sessions_cold"]

    /// The secondary indexes of the session tables (a bulk first write drops them, inserts, and recreates them).
    static let sessionIndexNames = sessionTableNames.flatMap { table in
        ["by_id", "closed", "by_cost", "by_tokens", "by_duration", "by_started", "by_last_activity", "by_user"].map { "\(table)_\($0)" }
    } + ["sessions_hot_open"]

    private static func sessionTable(_ name: String) -> String {
        """
        CREATE TABLE IF NOT EXISTS \(name)(
        \(SessionColumns.definitionsSQL));
        CREATE INDEX IF NOT EXISTS \(name)_by_id ON \(name)(session_id);
        CREATE INDEX IF NOT EXISTS \(name)_closed ON \(name)(gen_to) WHERE gen_to IS NOT NULL;
        CREATE INDEX IF NOT EXISTS \(name)_by_cost ON \(name)(cost_nanos DESC, session_id);
        CREATE INDEX IF NOT EXISTS \(name)_by_tokens ON \(name)(total_tokens DESC, session_id);
        CREATE INDEX IF NOT EXISTS \(name)_by_duration ON \(name)(duration_ms DESC, session_id);
        CREATE INDEX IF NOT EXISTS \(name)_by_started ON \(name)(started_at DESC, session_id);
        CREATE INDEX IF NOT EXISTS \(name)_by_last_activity ON \(name)(last_activity_at DESC, session_id);
        CREATE INDEX IF NOT EXISTS \(name)_by_user ON \(name)(user_id);

        """
    }

    private static let sessionTables = sessionTableNames.map(sessionTable).joined()
        + """
        CREATE INDEX IF NOT EXISTS sessions_hot_open ON sessions_hot(gen_from) WHERE gen_to IS NULL;
        CREATE VIEW IF NOT EXISTS sessions AS SELECT * FROM sessions_hot UNION ALL SELECT * FROM sessions_cold;
        """

    static let tables = """
        CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS generations(
            generation INTEGER PRIMARY KEY,
            committed_at TEXT NOT NULL,
            watermark INTEGER,
            inactivity_timeout_ms INTEGER NOT NULL);
        \(sessionTables)
        CREATE TABLE IF NOT EXISTS rollups(
            kind TEXT NOT NULL,
            key TEXT NOT NULL,
            gen_from INTEGER NOT NULL,
            gen_to INTEGER,
            \(ViewColumns.definitionsSQL(ViewColumns.rollups)));
        CREATE INDEX IF NOT EXISTS rollups_closed ON rollups(gen_to) WHERE gen_to IS NOT NULL;
        CREATE TABLE IF NOT EXISTS timeline(
            bucket_start INTEGER NOT NULL,
            gen_from INTEGER NOT NULL,
            gen_to INTEGER,
            \(ViewColumns.definitionsSQL(ViewColumns.timeline)));
        CREATE INDEX IF NOT EXISTS timeline_closed ON timeline(gen_to) WHERE gen_to IS NOT NULL;
        CREATE TABLE IF NOT EXISTS alerts(
            kind TEXT NOT NULL,
            session_id TEXT,
            user_id TEXT,
            ts INTEGER NOT NULL,
            value REAL NOT NULL,
            threshold REAL NOT NULL,
            detail TEXT NOT NULL,
            gen_from INTEGER NOT NULL,
            gen_to INTEGER);
        CREATE INDEX IF NOT EXISTS alerts_closed ON alerts(gen_to) WHERE gen_to IS NOT NULL;
        \(frameTables)
        """

    /// What a row written before a column of `declaration` existed reads as: its `DEFAULT`, else NULL.
    static func defaultSQL(_ declaration: String) -> String {
        let words = declaration.split(separator: " ")
        guard let at = words.firstIndex(of: "DEFAULT"), at + 1 < words.count else { return "NULL" }
        return String(words[at + 1])
    }

    /// `ALTER TABLE … ADD COLUMN` for each 1.1 column that `existing` (table → its columns) lacks.
    static func addedColumns(missingIn existing: [String: Set<String>]) -> String {
        var statements: [String] = []
        let sessionColumns = SessionColumns.added11.map { (name: $0.name, declaration: $0.declaration) }
        let rollupColumns = ViewColumns.rollupsAdded11.map { (name: $0.name.description, declaration: $0.declaration.description) }
        let timelineColumns = ViewColumns.timelineAdded11.map { (name: $0.name.description, declaration: $0.declaration.description) }
        for (table, columns) in [("rollups", rollupColumns), ("timeline", timelineColumns)] + sessionTableNames.map({ ($0, sessionColumns) }) {
            for column in columns where !(existing[table]?.contains(column.name) ?? true) {
                statements.append("ALTER TABLE \(table) ADD COLUMN \(column.name) \(column.declaration);")
            }
        }
        return statements.joined(separator: "\n")
    }

    /// RFC 3339 text with milliseconds of an epoch-ms column, in SQL.
    private static func time(_ column: String) -> String {
        "CASE WHEN \(column) IS NOT NULL THEN strftime('%Y-%m-%dT%H:%M:%S', \(column) / 1000, 'unixepoch') || printf('.%03dZ', \(column) % 1000) END"
    }

    /// A status as an SQL string literal (the names are plain capitals, nothing to escape).
    private static func sql(_ status: SessionStatus) -> String { "'\(status.rawValue)'" }

    private static func visible(_ alias: String) -> String {
        "\(alias).gen_from <= g.generation AND (\(alias).gen_to IS NULL OR \(alias).gen_to > g.generation)"
    }

    static let views = """
        CREATE VIEW IF NOT EXISTS current_generation AS
            SELECT generation, committed_at, watermark, inactivity_timeout_ms
            FROM generations ORDER BY generation DESC LIMIT 1;
        CREATE VIEW IF NOT EXISTS current_sessions AS
            SELECT s.session_id,
                CASE WHEN s.end_status IS NOT NULL THEN s.end_status
                     WHEN g.watermark - s.last_activity_at > g.inactivity_timeout_ms THEN \(sql(.timeout))
                     ELSE \(sql(.active)) END AS status,
                \(time("s.started_at")) AS started_at,
                \(time("COALESCE(s.end_ts, CASE WHEN g.watermark - s.last_activity_at > g.inactivity_timeout_ms THEN s.last_activity_at END)")) AS ended_at,
                \(time("s.last_activity_at")) AS last_activity_at,
                s.duration_ms, s.conversation_id, s.user_id, s.org_id, s.project_id, s.persona_id,
                s.messages, s.user_messages, s.assistant_messages, s.llm_calls, s.llm_errors,
                s.input_tokens, s.output_tokens, s.cost_nanos / 1e9 AS cost_usd, s.unpriced_llm_calls,
                s.tool_calls, s.tool_errors, s.tool_timeouts,
                CASE WHEN s.response_count > 0 THEN s.response_total_ms * 1.0 / s.response_count END AS avg_response_ms,
                s.max_response_ms, s.last_model, s.error_message,
                s.models_json AS models, s.tools_json AS tools,
                s.started_at AS started_at_ms, s.cost_nanos
            FROM sessions s, current_generation g WHERE \(visible("s"));
        CREATE VIEW IF NOT EXISTS current_rollups AS
            SELECT r.kind, r.key, r.sessions, r.llm_calls, r.input_tokens, r.output_tokens,
                r.cost_nanos / 1e9 AS cost_usd, r.tool_errors
            FROM rollups r, current_generation g WHERE \(visible("r"));
        CREATE VIEW IF NOT EXISTS current_timeline AS
            SELECT \(time("t.bucket_start")) AS bucket_start, t.sessions_started, t.sessions_ended, t.messages,
                t.llm_calls, t.input_tokens, t.output_tokens, t.cost_nanos / 1e9 AS cost_usd,
                t.tool_calls, t.tool_errors, t.llm_errors, t.bucket_start AS bucket_start_ms
            FROM timeline t, current_generation g WHERE \(visible("t"));
        CREATE VIEW IF NOT EXISTS current_alerts AS
            SELECT a.kind, a.session_id, a.user_id, \(time("a.ts")) AS ts, a.value, a.threshold, a.detail
            FROM alerts a, current_generation g WHERE \(visible("a"));
        """

    /// Names of the versioned tables, for pruning and rollback.
    static let versionedTables = sessionTableNames + ["rollups", "timeline", "alerts"] + frameTableNames

    /// Keys of `meta`.
    enum Meta {
        static let schemaVersion = "schema_version"
        /// Highest generation whose rows were committed to this database.
        static let sqlGeneration = "sql_generation"
        /// Rows closed at or before this generation have been deleted; older generations are gone.
        static let pruneFloor = "prune_floor"
    }
}
