import TallyCore

/// `users` (rollups), `timeline` and (1.1) `errors`.
extension SnapshotReader {
    /// Whether `table` has the columns 1.1 added: a database written before 1.1 and not continued
    /// since lacks them, and its rows read as none of those figures.
    func has11Columns(_ table: String) -> Bool {
        ((try? database.columns(of: table)) ?? []).contains("feedback")
    }

    /// The `SELECT` list of session queries for this database's session tables: a database
    /// written before 1.1 reads the 1.1 columns as their defaults.
    var sessionSelectSQL: String {
        let present = (try? database.columns(of: "sessions_hot")) ?? []
        return present.isSuperset(of: SessionColumns.added11.map(\.name)) ? SessionColumns.selectSQL : SessionColumns.selectSQL(present: present)
    }

    func rollups(_ key: RollupKey, query: SnapshotQuery, format: OutputFormat, sink: @escaping (String) throws -> Void) throws {
        let added = has11Columns("rollups")
            ? "active, completed, failed, cancelled, timeout, response_count, response_total_ms, feedback, avg_rating, negative_feedback"
            : "0, 0, 0, 0, 0, 0, 0, 0, NULL, 0"
        let statement = try prepare("""
            SELECT key, sessions, llm_calls, input_tokens, output_tokens, cost_nanos, tool_errors, \(added)
            FROM rollups WHERE kind = ?2 AND \(visible) ORDER BY cost_nanos DESC, key LIMIT ?3 OFFSET ?4
            """, [.text(key.rawValue), .int(query.sqlLimit), .int(Int64(query.skipped))])
        var output = try ListOutput(format: format, fields: Records.rollupFields, columns: Self.rollupColumns, sink: sink)
        while try statement.step() {
            let sessions = statement.int64(1)
            let completed = statement.int64(8)
            let responses = statement.int64(12)
            try output.add([
                .string(statement.string(0)), .int(sessions), .int(statement.int64(2)),
                .int(statement.optionalInt64(3)), .int(statement.optionalInt64(4)), .money(statement.int64(5)),
                .int(statement.int64(6)),
                .int(statement.int64(7)), .int(completed), .int(statement.int64(9)), .int(statement.int64(10)),
                .int(statement.int64(11)),
                .double(RollupView.successRate(completed: completed, sessions: sessions)),
                .double(responses == 0 ? nil : Double(statement.int64(13)) / Double(responses)),
                .int(statement.int64(14)), .double(statement.optionalDouble(15)), .int(statement.int64(16)),
            ])
        }
        try output.finish()
    }

    func timeline(_ query: SnapshotQuery, format: OutputFormat, sink: @escaping (String) throws -> Void) throws {
        var conditions = [visible]
        var bindings: [Binding] = [.int(query.bucketMs)]
        if let since = query.since {
            bindings.append(.int(since))
            conditions.append("bucket_start >= ?\(bindings.count + 1)")
        }
        if let until = query.until {
            bindings.append(.int(until))
            conditions.append("bucket_start < ?\(bindings.count + 1)")
        }
        bindings += [.int(query.sqlLimit), .int(Int64(query.skipped))]
        let added = has11Columns("timeline") ? "SUM(feedback), SUM(negative_feedback)" : "0, 0"
        let statement = try prepare("""
            SELECT bucket_start - ((bucket_start % ?2) + ?2) % ?2 AS bucket, SUM(sessions_started), SUM(sessions_ended),
                SUM(messages), SUM(llm_calls), SUM(input_tokens), SUM(output_tokens), SUM(cost_nanos),
                SUM(tool_calls), SUM(tool_errors), SUM(llm_errors), \(added)
            FROM timeline WHERE \(conditions.joined(separator: " AND "))
            GROUP BY bucket ORDER BY bucket LIMIT ?\(bindings.count) OFFSET ?\(bindings.count + 1)
            """, bindings)
        var output = try ListOutput(format: format, fields: Records.timelineFields, columns: Self.timelineColumns, sink: sink)
        while try statement.step() {
            try output.add([
                .time(statement.int64(0)), .int(statement.int64(1)), .int(statement.int64(2)), .int(statement.int64(3)),
                .int(statement.int64(4)), .int(statement.optionalInt64(5)), .int(statement.optionalInt64(6)),
                .money(statement.int64(7)), .int(statement.int64(8)), .int(statement.int64(9)), .int(statement.int64(10)),
                .int(statement.int64(11)), .int(statement.int64(12)),
            ])
        }
        try output.finish()
    }

    /// The manifest's error groups (largest first), of one kind if asked; default limit 50.
    /// A manifest written before 1.1 has none.
    func errors(_ query: SnapshotQuery, format: OutputFormat, sink: @escaping (String) throws -> Void) throws {
        var output = try ListOutput(format: format, fields: Records.errorFields, columns: Self.errorColumns, sink: sink)
        if case .array(var items)? = manifest.errors {
            if let kind = query.errorKind { items = items.filter { $0["kind"]?.stringValue == kind.rawValue } }
            for item in paged(items, query) { try output.add(object: item) }
        }
        try output.finish()
    }
}
