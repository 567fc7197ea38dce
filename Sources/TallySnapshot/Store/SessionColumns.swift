import TallyCore

/// The columns of the session tables, in table order: this one list drives the `CREATE TABLE`
/// of `sessions_hot` and `sessions_cold`, the writer's insert (its placeholders and what it
/// binds to each) and the columns session queries select and read back into a ``SessionRow``.
///
/// To add a column: add one entry below (`.integer` or `.text` for a field of `SessionRow`,
/// `.derived` for a value computed from one, or a full ``SessionColumn`` with its own `bind`
/// and `read`).
/// Nothing else counts columns. Add new columns after the existing ones and raise
/// ``Schema/version`` with a migration: `CREATE TABLE IF NOT EXISTS` leaves an existing table as
/// it is, and `sessions_hot` settles into `sessions_cold` with `SELECT *`. The `current_sessions`
/// view and the query output (``Records``) name the fields they show; add it there too if users should see it.
enum SessionColumns {
    static let all: [SessionColumn] = [
        SessionColumn(
            "session_id", "TEXT NOT NULL", bind: { statement, index, version throws(SQLiteError) in
                try statement.bind(index, version.row.sessionID)
            }, read: { statement, index, row in row.sessionID = statement.string(index) }),
        SessionColumn("gen_from", "INTEGER NOT NULL", selected: false, bind: { statement, index, version throws(SQLiteError) in
            try statement.bind(index, version.generation)
        }),
        // A new version is open: closed by a later generation's `UPDATE … SET gen_to`.
        SessionColumn("gen_to", "INTEGER", selected: false, bind: nil),
        SessionColumn(
            "end_status", "TEXT", bind: { statement, index, version throws(SQLiteError) in
                try statement.bind(index, version.row.endStatus?.sessionStatus.rawValue)
            }, read: { statement, index, row in
                row.endStatus = statement.optionalString(index).flatMap { SessionStatus(rawValue: $0)?.endStatus }
            }),
        .integer("end_ts", \.endTimestamp),
        .integer("started_at", \.startedAt),
        .integer("last_activity_at", \.lastActivityAt),
        .derived("duration_ms", "INTEGER NOT NULL") { ($0.endTimestamp ?? $0.lastActivityAt) - $0.startedAt },
        .text("conversation_id", \.conversationID),
        .text("user_id", \.userID),
        .text("org_id", \.orgID),
        .text("project_id", \.projectID),
        .text("persona_id", \.personaID),
        .integer("messages", \.messages),
        .integer("user_messages", \.userMessages),
        .integer("assistant_messages", \.assistantMessages),
        .integer("llm_calls", \.llmCalls),
        .integer("llm_errors", \.llmErrors),
        .integer("input_tokens", \.inputTokens),
        .integer("output_tokens", \.outputTokens),
        .derived("total_tokens", "INTEGER NOT NULL") { row in
            var total = row.inputTokens ?? 0
            total.addSaturating(row.outputTokens ?? 0)  // saturated only when `total_tokens` is flagged
            return total
        },
        .integer("cost_nanos", \.costNanos),
        .integer("unpriced_llm_calls", \.unpricedLLMCalls),
        .integer("tool_calls", \.toolCalls),
        .integer("tool_errors", \.toolErrors),
        .integer("tool_timeouts", \.toolTimeouts),
        .integer("response_count", \.responseCount),
        .integer("response_total_ms", \.responseTotalMs),
        .integer("max_response_ms", \.maxResponseMs),
        .text("last_model", \.lastModel),
        .text("error_message", \.errorMessage),
        // `query session ID` shows these two JSON texts as they are.
        SessionColumn("models_json", "TEXT NOT NULL", bind: { statement, index, version throws(SQLiteError) in
            version.json.removeAll()
            Records.writeSessionModels(version.row.models, to: &version.json)
            try statement.bind(index, text: version.json.bytes)
        }),
        SessionColumn("tools_json", "TEXT NOT NULL", bind: { statement, index, version throws(SQLiteError) in
            version.json.removeAll()
            Records.writeSessionTools(version.row.tools, to: &version.json)
            try statement.bind(index, text: version.json.bytes)
        }),
        // The fold's encoded session state: what a restart rebuilds the fold from.
        SessionColumn("state", "BLOB NOT NULL", selected: false, bind: { statement, index, version throws(SQLiteError) in
            try statement.bind(index, blob: version.state)
        }),
    ] + added11

    /// The columns 1.1 added, after the others: created with the tables, and added to the tables
    /// of a database written before 1.1 (``Schema/addedColumns(missingIn:)``); versions written
    /// before read as their defaults (NULL, 0) until the session changes again.
    static let added11: [SessionColumn] = [
        .integer("cached_input_tokens", \.cachedInputTokens),
        .integer("cache_write_input_tokens", \.cacheWriteInputTokens),
        .integer("reasoning_tokens", \.reasoningTokens),
        .integer("feedback", \.feedback, declaration: "INTEGER NOT NULL DEFAULT 0"),
        .integer("ratings", \.ratings, declaration: "INTEGER NOT NULL DEFAULT 0"),
        .real("avg_rating", \.averageRating),
        .integer("positive_feedback", \.positiveFeedback, declaration: "INTEGER NOT NULL DEFAULT 0"),
        .integer("negative_feedback", \.negativeFeedback, declaration: "INTEGER NOT NULL DEFAULT 0"),
        .integer("log_errors", \.logErrors, declaration: "INTEGER NOT NULL DEFAULT 0"),
        .real("max_context_ratio", \.maxContextRatio),
    ]

    /// The column definitions of `CREATE TABLE name(…)`, one a line.
    static let definitionsSQL = all.map { "    \($0.name) \($0.declaration)" }.joined(separator: ",\n")

    /// Each bound column with its parameter number (`?1…`), in table order: those that store a
    /// field of the row, bound from its bytes, and the others, bound by their own `bind`.
    private static let parameters: (stored: [(number: Int32, slot: FieldSlot)], computed: [(number: Int32, bind: SessionColumn.Bind)]) = {
        var number: Int32 = 0
        var stored: [(number: Int32, slot: FieldSlot)] = []
        var computed: [(number: Int32, bind: SessionColumn.Bind)] = []
        for column in all {
            guard let bind = column.bind else { continue }
            number += 1
            if let slot = column.stored { stored.append((number, slot)) } else { computed.append((number, bind)) }
        }
        return (stored, computed)
    }()

    /// The insert of one version into `table`, its parameters bound by ``bind(_:to:)``.
    static func insertSQL(table: String) -> String {
        var number = 0
        let values = all.map { column -> String in
            guard column.bind != nil else { return "NULL" }
            number += 1
            return "?\(number)"
        }
        return "INSERT INTO \(table)(\(all.map(\.name).joined(separator: ", ")))\nVALUES (\(values.joined(separator: ", ")))"
    }

    /// Binds every parameter of ``insertSQL(table:)`` for `version`.
    static func bind(_ version: inout SessionColumn.Version, to insert: Statement) throws(SQLiteError) {
        try FieldSlot.withBytes(of: &version.row) { row throws(SQLiteError) in
            for (number, slot) in parameters.stored { try slot.bind(row, at: number, to: insert) }
        }
        for (number, bind) in parameters.computed { try bind(insert, number, &version) }
    }

    /// The columns session queries select, in this order (their result indexes).
    static let selected = all.filter(\.selected)

    /// ``selected`` as a `SELECT` list.
    static let selectSQL = selected.map(\.name).joined(separator: ", ")

    /// ``selected`` as a `SELECT` list for tables that have only the columns `present` (a
    /// database written before 1.1 that no writer opened since): a missing column reads as its default.
    static func selectSQL(present: Set<String>) -> String {
        selected.map { present.contains($0.name) ? $0.name : "\($0.defaultSQL) AS \($0.name)" }.joined(separator: ", ")
    }

    /// The result index of the selected column `name`.
    static func selectedIndex(_ name: String) -> Int32 {
        Int32(selected.firstIndex { $0.name == name }!)
    }

    /// The row a query that selected ``selectSQL`` is on.
    static func row(_ statement: Statement) -> SessionRow {
        var row = SessionRow(sessionID: "", startedAt: 0, lastActivityAt: 0)
        withUnsafeMutableBytes(of: &row) { bytes in
            for (index, slot) in readsBySlot.plain { slot.read(statement, at: index, into: bytes) }
        }
        for (index, read) in readsBySlot.others { read(statement, index, &row) }
        return row
    }

    /// The selected columns with their result index: the numbers of a row, read into its bytes
    /// (``FieldSlot``), and the others (texts, statuses), read by their own `read`.
    private static let readsBySlot: (plain: [(index: Int32, slot: FieldSlot)], others: [(index: Int32, read: SessionColumn.Read)]) = {
        var plain: [(index: Int32, slot: FieldSlot)] = []
        var others: [(index: Int32, read: SessionColumn.Read)] = []
        for (index, column) in selected.enumerated() {
            if let slot = column.stored, slot.value != .optionalText {
                plain.append((Int32(index), slot))
            } else if let read = column.read {
                others.append((Int32(index), read))
            }
        }
        return (plain, others)
    }()
}
