import TallyPosix
import Testing
import TallyCore
@testable import TallySnapshot

/// The session tables' columns as `sessions.db` stores them (snapshots written by earlier builds must still be read).
private let storedColumns = [
    "session_id", "gen_from", "gen_to", "end_status", "end_ts", "started_at", "last_activity_at", "duration_ms",
    "conversation_id", "user_id", "org_id", "project_id", "persona_id", "messages", "user_messages",
    "assistant_messages", "llm_calls", "llm_errors", "input_tokens", "output_tokens", "total_tokens", "cost_nanos",
    "unpriced_llm_calls", "tool_calls", "tool_errors", "tool_timeouts", "response_count", "response_total_ms",
    "max_response_ms", "last_model", "error_message", "models_json", "tools_json", "state",
    // 1.1, added to the tables of older databases in this order
    "cached_input_tokens", "cache_write_input_tokens", "reasoning_tokens", "feedback", "ratings", "avg_rating",
    "positive_feedback", "negative_feedback", "log_errors", "max_context_ratio",
]

private func newDatabase(_ directory: String) throws -> Database {
    let database = try Database(path: FileOperations.join(directory, "sessions.db"), mode: .readWrite)
    try SnapshotWriter.createSchema(in: database)
    return database
}

@Test func sessionTablesHaveTheColumnsOfTheListInItsOrder() throws {
    let directory = temporaryDirectory()
    defer { removeTree(directory) }
    let database = try newDatabase(directory)
    #expect(SessionColumns.all.map(\.name) == storedColumns)
    for table in Schema.sessionTableNames {
        let info = try database.prepare("SELECT name, type, \"notnull\", dflt_value FROM pragma_table_info('\(table)') ORDER BY cid")
        var columns: [String] = []
        while try info.step() {
            let defaultValue = info.optionalString(3).map { " DEFAULT \($0)" } ?? ""
            columns.append("\(info.string(0)) \(info.string(1))\(info.int64(2) == 1 ? " NOT NULL" : "")\(defaultValue)")
        }
        #expect(columns == SessionColumns.all.map { "\($0.name) \($0.declaration)" })
    }
}

@Test func aSessionVersionReadsBackAsItWasBound() throws {
    let directory = temporaryDirectory()
    defer { removeTree(directory) }
    let database = try newDatabase(directory)
    var row = SessionRow(sessionID: "s-1", startedAt: 1_000, lastActivityAt: 9_000)
    row.endStatus = .failed
    row.endTimestamp = 10_000
    row.conversationID = "c"
    row.userID = "u"
    row.orgID = "o"
    row.projectID = "p"
    row.personaID = "pe"
    (row.messages, row.userMessages, row.assistantMessages, row.llmCalls, row.llmErrors) = (9, 4, 5, 3, 1)
    (row.inputTokens, row.outputTokens, row.costNanos, row.unpricedLLMCalls) = (100, 20, 777, 1)
    (row.toolCalls, row.toolErrors, row.toolTimeouts) = (6, 2, 1)
    (row.responseCount, row.responseTotalMs, row.maxResponseMs) = (2, 300, 250)
    row.lastModel = "m"
    row.errorMessage = "boom"
    (row.cachedInputTokens, row.cacheWriteInputTokens, row.reasoningTokens) = (40, 5, 7)
    (row.feedback, row.ratings, row.averageRating, row.positiveFeedback, row.negativeFeedback) = (4, 3, 3.667, 2, 1)
    (row.logErrors, row.maxContextRatio) = (2, 0.875)
    row.models = [SessionModelUsage(model: "m", calls: 3, inputTokens: 100, outputTokens: 20, costNanos: 777)]
    row.tools = [SessionToolUsage(toolName: "t", calls: 6, errors: 2, timeouts: 1)]
    let insert = try database.prepare(SessionColumns.insertSQL(table: "sessions_hot"))
    var version = SessionColumn.Version(row: row, state: [7, 8], generation: 3)
    try SessionColumns.bind(&version, to: insert)
    try insert.run()

    let select = try database.prepare("SELECT \(SessionColumns.selectSQL), gen_from, gen_to, state FROM sessions")
    #expect(try select.step())
    var expected = row
    (expected.models, expected.tools) = ([], [])
    #expect(SessionColumns.row(select) == expected)
    #expect(select.string(SessionColumns.selectedIndex("models_json"))
        == #"{"m":{"calls":3,"input_tokens":100,"output_tokens":20,"cost_usd":0.000000777}}"#)
    #expect(select.string(SessionColumns.selectedIndex("tools_json")) == #"{"t":{"calls":6,"errors":2,"timeouts":1}}"#)
    #expect(select.int64(SessionColumns.selectedIndex("duration_ms")) == 9_000)
    #expect(select.int64(SessionColumns.selectedIndex("total_tokens")) == 120)
    let extra = Int32(SessionColumns.selected.count)
    #expect(select.int64(extra) == 3)
    #expect(select.isNull(extra + 1))
    #expect(select.blob(extra + 2) == [7, 8])
}

@Test func sqliteErrorsCarryTheirCodeStatementAndPathInOneLine() throws {
    let directory = temporaryDirectory()
    defer { removeTree(directory) }
    let missing = FileOperations.join(directory, "missing.db")
    #expect(throws: SQLiteError.self) { try Database(path: missing, mode: .readOnly) }
    do {
        _ = try Database(path: missing, mode: .readOnly)
    } catch {
        #expect(error.code.primary == .cannotOpen)
        #expect(error.statement == "open")
        #expect(error.description.hasPrefix("sqlite error 14 (unable to open database file) in \(missing) running `open`"))
    }
    let database = try newDatabase(directory)
    let long = "SELECT no_such_column,\n  " + String(repeating: "x, ", count: 60) + "y FROM meta"
    do {
        _ = try database.prepare(long)
        Issue.record("prepared a statement with unknown columns")
    } catch {
        #expect(error.code == SQLiteError.Code(1))
        #expect(error.statement == long)
        #expect(!error.description.contains("\n"))
        #expect(error.description.hasSuffix("…`"))
        #expect(error.description.contains("running `SELECT no_such_column, x, x,"))
    }
}

/// A database written before 1.1 (its session tables without the 1.1 columns) is read with those
/// figures at their defaults, and a writer continuing it adds the columns and fills them.
@Test func aDatabaseWrittenBefore11IsReadAndContinued() throws {
    let directory = temporaryDirectory()
    defer { removeTree(directory) }
    try Fixture.write(to: directory)
    do {
        let database = try Database(path: FileOperations.join(directory, "sessions.db"), mode: .readWrite)
        let views = try database.prepare("SELECT name FROM sqlite_master WHERE type = 'view'")
        var names: [String] = []
        while try views.step() { names.append(views.string(0)) }
        for name in names { try database.execute("DROP VIEW \(name);") }
        for table in Schema.sessionTableNames {
            for column in SessionColumns.added11 { try database.execute("ALTER TABLE \(table) DROP COLUMN \(column.name);") }
        }
        try database.execute("CREATE VIEW sessions AS SELECT * FROM sessions_hot UNION ALL SELECT * FROM sessions_cold;")
        try database.execute(Schema.views)
        #expect(try database.columns(of: "sessions_hot").count == storedColumns.count - SessionColumns.added11.count)
    }
    let defaults = #""cached_input_tokens":null,"cache_write_input_tokens":null,"reasoning_tokens":null,"feedback":0,"#
        + #""ratings":0,"avg_rating":null,"positive_feedback":0,"negative_feedback":0,"log_errors":0,"max_context_ratio":null"#
    #expect(try query(directory, .session("s1")).contains(defaults + #","models""#))
    #expect(try query(directory, .sessions, format: .csv).hasPrefix("session_id,"))

    let (writer, _) = try SnapshotWriter.open(directory: directory, keep: 3)
    writer.stage(Fixture.s1, state: [1])
    try writer.write(content: Fixture.content, metadata: Fixture.metadata())
    let filled = #""cached_input_tokens":400,"cache_write_input_tokens":50,"reasoning_tokens":30,"feedback":3,"#
        + #""ratings":2,"avg_rating":4.5,"positive_feedback":2,"negative_feedback":1,"log_errors":1,"max_context_ratio":0.125"#
    #expect(try query(directory, .session("s1")).contains(filled + #","models""#))
    // A session the continued generation did not touch keeps its older version: the defaults.
    #expect(try query(directory, .session("s2")).contains(defaults + #","models""#))
}
