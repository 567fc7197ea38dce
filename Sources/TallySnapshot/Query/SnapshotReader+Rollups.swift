import TallyCore

/// `users` (rollups), `timeline` and (1.1) `errors`.
extension SnapshotReader {
    /// The columns of `table`, to read a database written before 1.1 (and not continued since),
    /// which lacks the columns 1.1 added: those read as their defaults.
    func presentColumns(_ table: String) throws -> Set<String> {
        try database.columns(of: table)
    }

    /// The `SELECT` list of session queries for this database's session tables: a database
    /// written before 1.1 reads the 1.1 columns as their defaults.
    var sessionSelectSQL: String {
        let present = (try? database.columns(of: "sessions_hot")) ?? []
        return present.isSuperset(of: SessionColumns.added11.map(\.name)) ? SessionColumns.selectSQL : SessionColumns.selectSQL(present: present)
    }

    func rollups(_ key: RollupKey, query: SnapshotQuery, format: OutputFormat, sink: @escaping (String) throws -> Void) throws {
        let columns = ViewColumns.selectSQL(ViewColumns.rollups, present: try presentColumns("rollups"))
        let statement = try prepare("""
            SELECT key, \(columns)
            FROM rollups WHERE kind = ?2 AND \(visible) ORDER BY cost_nanos DESC, key LIMIT ?3 OFFSET ?4
            """, [.text(key.rawValue), .int(query.sqlLimit), .int(Int64(query.skipped))])
        var output = try ListOutput(format: format, fields: Records.rollupFields, columns: Self.rollupColumns, sink: sink)
        while try statement.step() {
            var view = RollupView(key: statement.string(0))
            for (offset, column) in ViewColumns.rollups.enumerated() { column.read(statement, at: Int32(1 + offset), into: &view) }
            try output.add([
                .string(view.key), .int(view.sessions), .int(view.llmCalls), .int(view.inputTokens),
                .int(view.outputTokens), .money(view.costNanos), .int(view.toolErrors),
                .int(view.active), .int(view.completed), .int(view.failed), .int(view.cancelled), .int(view.timeout),
                .double(RollupView.successRate(completed: view.completed, sessions: view.sessions)),
                .double(view.averageResponseMs), .int(view.feedback), .double(view.averageRating),
                .int(view.negativeFeedback),
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
        let columns = ViewColumns.selectSQL(ViewColumns.timeline, present: try presentColumns("timeline")) { "SUM(\($0))" }
        let statement = try prepare("""
            SELECT bucket_start - ((bucket_start % ?2) + ?2) % ?2 AS bucket, \(columns)
            FROM timeline WHERE \(conditions.joined(separator: " AND "))
            GROUP BY bucket ORDER BY bucket LIMIT ?\(bindings.count) OFFSET ?\(bindings.count + 1)
            """, bindings)
        var output = try ListOutput(format: format, fields: Records.timelineFields, columns: Self.timelineColumns, sink: sink)
        while try statement.step() {
            var bucket = TimelineBucket(bucketStart: statement.int64(0))
            for (offset, column) in ViewColumns.timeline.enumerated() { column.read(statement, at: Int32(1 + offset), into: &bucket) }
            try output.add([
                .time(bucket.bucketStart), .int(bucket.sessionsStarted), .int(bucket.sessionsEnded), .int(bucket.messages),
                .int(bucket.llmCalls), .int(bucket.inputTokens), .int(bucket.outputTokens), .money(bucket.costNanos),
                .int(bucket.toolCalls), .int(bucket.toolErrors), .int(bucket.llmErrors), .int(bucket.feedback),
                .int(bucket.negativeFeedback),
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
