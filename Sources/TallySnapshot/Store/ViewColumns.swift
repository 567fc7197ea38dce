import TallyCore

/// One figure column of the `rollups` or `timeline` table: its name, its SQL declaration, and the
/// field of the view row (``RollupView``, ``TimelineBucket``) it stores. The lists in
/// ``ViewColumns`` are the only place that knows these columns and their order: they drive the
/// `CREATE TABLE`, the writer's insert and read-back, and the queries' `SELECT` lists.
///
/// The field is read and written at its byte offset (`MemoryLayout.offset(of:)`, found once),
/// not through the key-path runtime: a snapshot writes every timeline bucket.
struct ViewColumn<Row>: @unchecked Sendable {
    /// Static texts: a column is a plain value, bound without retaining anything.
    let name: StaticString
    /// Type and constraint as in `CREATE TABLE`: `INTEGER NOT NULL`.
    let declaration: StaticString
    let slot: FieldSlot

    private init<Field>(_ name: StaticString, _ declaration: StaticString, _ value: FieldSlot.Value, _ field: WritableKeyPath<Row, Field>) {
        guard let slot = FieldSlot(field, value) else { preconditionFailure("view column \(name) must name a stored field") }
        self.name = name
        self.declaration = declaration
        self.slot = slot
    }

    /// An `Int64` field. A column added to existing tables needs a `DEFAULT` in `declaration`.
    static func integer(_ name: StaticString, _ field: WritableKeyPath<Row, Int64>, declaration: StaticString = "INTEGER NOT NULL") -> Self {
        Self(name, declaration, .integer, field)
    }

    /// An optional `Int64` field (NULL when absent).
    static func integer(_ name: StaticString, _ field: WritableKeyPath<Row, Int64?>) -> Self {
        Self(name, "INTEGER", .optionalInteger, field)
    }

    /// An optional `Double` field (NULL when absent).
    static func real(_ name: StaticString, _ field: WritableKeyPath<Row, Double?>) -> Self {
        Self(name, "REAL", .optionalReal, field)
    }

    /// What a row written before the column existed reads as: its `DEFAULT`, else NULL.
    var defaultSQL: String { Schema.defaultSQL(declaration.description) }

    func read(_ statement: Statement, at index: Int32, into row: inout Row) {
        withUnsafeMutableBytes(of: &row) { slot.read(statement, at: index, into: $0) }
    }
}

/// The figure columns of `rollups` (after `kind, key, gen_from, gen_to`) and `timeline` (after
/// `bucket_start, gen_from, gen_to`), in table order. To add one: append it to the `…11`-style
/// list of its version with a `DEFAULT`, so that ``Schema/addedColumns(missingIn:)`` adds it to
/// older databases and their rows read as that default.
enum ViewColumns {
    static let rollups: [ViewColumn<RollupView>] = [
        .integer("sessions", \.sessions), .integer("llm_calls", \.llmCalls),
        .integer("input_tokens", \.inputTokens), .integer("output_tokens", \.outputTokens),
        .integer("cost_nanos", \.costNanos), .integer("tool_errors", \.toolErrors),
    ] + rollupsAdded11

    /// The columns 1.1 added to `rollups`.
    static let rollupsAdded11: [ViewColumn<RollupView>] = [
        .integer("active", \.active, declaration: "INTEGER NOT NULL DEFAULT 0"),
        .integer("completed", \.completed, declaration: "INTEGER NOT NULL DEFAULT 0"),
        .integer("failed", \.failed, declaration: "INTEGER NOT NULL DEFAULT 0"),
        .integer("cancelled", \.cancelled, declaration: "INTEGER NOT NULL DEFAULT 0"),
        .integer("timeout", \.timeout, declaration: "INTEGER NOT NULL DEFAULT 0"),
        .integer("response_count", \.responseCount, declaration: "INTEGER NOT NULL DEFAULT 0"),
        .integer("response_total_ms", \.responseTotalMs, declaration: "INTEGER NOT NULL DEFAULT 0"),
        .integer("feedback", \.feedback, declaration: "INTEGER NOT NULL DEFAULT 0"),
        .real("avg_rating", \.averageRating),
        .integer("negative_feedback", \.negativeFeedback, declaration: "INTEGER NOT NULL DEFAULT 0"),
    ]

    static let timeline: [ViewColumn<TimelineBucket>] = [
        .integer("sessions_started", \.sessionsStarted), .integer("sessions_ended", \.sessionsEnded),
        .integer("messages", \.messages), .integer("llm_calls", \.llmCalls),
        .integer("input_tokens", \.inputTokens), .integer("output_tokens", \.outputTokens),
        .integer("cost_nanos", \.costNanos), .integer("tool_calls", \.toolCalls),
        .integer("tool_errors", \.toolErrors), .integer("llm_errors", \.llmErrors),
    ] + timelineAdded11

    /// The columns 1.1 added to `timeline`.
    static let timelineAdded11: [ViewColumn<TimelineBucket>] = [
        .integer("feedback", \.feedback, declaration: "INTEGER NOT NULL DEFAULT 0"),
        .integer("negative_feedback", \.negativeFeedback, declaration: "INTEGER NOT NULL DEFAULT 0"),
    ]

    /// `name declaration` of each column, one a line, for `CREATE TABLE`.
    static func definitionsSQL<Row>(_ columns: [ViewColumn<Row>]) -> String {
        columns.map { "\($0.name) \($0.declaration)" }.joined(separator: ",\n    ")
    }

    /// The columns as a `SELECT` list, each wrapped by `expression` (`SUM(…)`); a column missing
    /// from the table (`present` lacks it: a database written before it existed) reads as its default.
    static func selectSQL<Row>(
        _ columns: [ViewColumn<Row>], present: Set<String>? = nil, _ expression: (String) -> String = { $0 }
    ) -> String {
        columns.map { column in
            let name = column.name.description
            let isPresent = present?.contains(name) ?? true
            return isPresent ? expression(name) : column.defaultSQL
        }.joined(separator: ", ")
    }

    /// Binds each of `columns` of `row` to the parameters from `first` on, in order.
    static func bind<Row>(_ row: Row, _ columns: [ViewColumn<Row>], from first: Int32, to statement: Statement) throws(SQLiteError) {
        var row = row
        try FieldSlot.withBytes(of: &row) { bytes throws(SQLiteError) in
            for (offset, column) in columns.enumerated() { try column.slot.bind(bytes, at: first + Int32(offset), to: statement) }
        }
    }

    /// `(?first, ?first+1, …)` placeholders for the columns.
    static func placeholders<Row>(_ columns: [ViewColumn<Row>], from first: Int) -> String {
        columns.indices.map { "?\(first + $0)" }.joined(separator: ", ")
    }
}
