internal import TallyPosix
import TallyCore

/// The versioned view rows (alerts, timeline, rollups): diffing against what is written, and
/// closing the rows that went away.
extension SnapshotWriter {
    func writeViews(_ content: SnapshotContent, generation: Int64, into staged: inout WrittenViews) throws -> Int {
        var changed = 0
        let closeRollup = try database.prepare("UPDATE rollups SET gen_to = ?1 WHERE rowid = ?2")
        let insertRollup = try database.prepare("""
            INSERT INTO rollups(kind, key, gen_from, sessions, llm_calls, input_tokens, output_tokens, cost_nanos, tool_errors,
                active, completed, failed, cancelled, timeout, response_count, response_total_ms, feedback, avg_rating,
                negative_feedback)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)
            """)
        func update(_ id: WrittenViews.RollupID, to view: RollupView?) throws {
            let previous = staged.rollups[id]
            if previous?.view == view { return }
            if let previous {
                try close(closeRollup, rowID: previous.rowID, generation: generation)
                staged.rollups[id] = nil
                changed += 1
            }
            guard let view else { return }
            try insertRollup.bind(1, id.kind)
            try insertRollup.bind(2, view.key)
            try insertRollup.bind(3, generation)
            try insertRollup.bind(4, view.sessions)
            try insertRollup.bind(5, view.llmCalls)
            try insertRollup.bind(6, view.inputTokens)
            try insertRollup.bind(7, view.outputTokens)
            try insertRollup.bind(8, view.costNanos)
            try insertRollup.bind(9, view.toolErrors)
            try insertRollup.bind(10, view.active)
            try insertRollup.bind(11, view.completed)
            try insertRollup.bind(12, view.failed)
            try insertRollup.bind(13, view.cancelled)
            try insertRollup.bind(14, view.timeout)
            try insertRollup.bind(15, view.responseCount)
            try insertRollup.bind(16, view.responseTotalMs)
            try insertRollup.bind(17, view.feedback)
            try insertRollup.bind(18, view.averageRating)
            try insertRollup.bind(19, view.negativeFeedback)
            try insertRollup.run()
            staged.rollups[id] = (view, database.lastInsertRowID)
            changed += 1
        }
        if let changedKeys = content.changedRollupKeys {
            for (kind, keys) in changedKeys.sorted(by: { $0.key < $1.key }) {
                var current: [String: RollupView] = [:]
                for view in content.rollups[kind] ?? [] { current[view.key] = view }
                for key in keys.sorted() { try update(WrittenViews.RollupID(kind: kind, key: key), to: current[key]) }
            }
        } else {
            var seenRollups = Set<WrittenViews.RollupID>()
            for (kind, views) in content.rollups.sorted(by: { $0.key < $1.key }) {
                for view in views {
                    let id = WrittenViews.RollupID(kind: kind, key: view.key)
                    seenRollups.insert(id)
                    try update(id, to: view)
                }
            }
            for id in staged.rollups.keys where !seenRollups.contains(id) { try update(id, to: nil) }
        }

        let closeBucket = try database.prepare("UPDATE timeline SET gen_to = ?1 WHERE rowid = ?2")
        let insertBucket = try database.prepare("""
            INSERT INTO timeline(bucket_start, gen_from, sessions_started, sessions_ended, messages, llm_calls,
                input_tokens, output_tokens, cost_nanos, tool_calls, tool_errors, llm_errors, feedback, negative_feedback)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
            """)
        func insert(_ bucket: TimelineBucket) throws(SQLiteError) {
            try insertBucket.bind(1, bucket.bucketStart)
            try insertBucket.bind(2, generation)
            try insertBucket.bind(3, bucket.sessionsStarted)
            try insertBucket.bind(4, bucket.sessionsEnded)
            try insertBucket.bind(5, bucket.messages)
            try insertBucket.bind(6, bucket.llmCalls)
            try insertBucket.bind(7, bucket.inputTokens)
            try insertBucket.bind(8, bucket.outputTokens)
            try insertBucket.bind(9, bucket.costNanos)
            try insertBucket.bind(10, bucket.toolCalls)
            try insertBucket.bind(11, bucket.toolErrors)
            try insertBucket.bind(12, bucket.llmErrors)
            try insertBucket.bind(13, bucket.feedback)
            try insertBucket.bind(14, bucket.negativeFeedback)
            try insertBucket.run()
        }
        let closeAlert = try database.prepare("UPDATE alerts SET gen_to = ?1 WHERE rowid = ?2")
        let insertAlert = try database.prepare("""
            INSERT INTO alerts(kind, session_id, user_id, ts, value, threshold, detail, gen_from)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
            """)
        func insert(_ alert: AlertView) throws(SQLiteError) {
            try insertAlert.bind(1, alert.kind.rawValue)
            try insertAlert.bind(2, alert.sessionID)
            try insertAlert.bind(3, alert.userID)
            try insertAlert.bind(4, alert.timestamp)
            try insertAlert.bind(5, alert.value)
            try insertAlert.bind(6, alert.threshold)
            try insertAlert.bind(7, alert.detail)
            try insertAlert.bind(8, generation)
            try insertAlert.run()
        }
        // Into empty tables (a first snapshot, a replay): every row is new, nothing to diff or close.
        if staged.hasNoTimelineOrAlerts {
            staged.unindexedTimeline.reserveCapacity(content.timeline.count)
            for bucket in content.timeline {
                try insert(bucket)
                staged.unindexedTimeline.append((bucket, database.lastInsertRowID))
            }
            staged.unindexedAlerts.reserveCapacity(content.alerts.count)
            for alert in content.alerts where staged.unindexedAlerts.last?.view != alert {
                // Sorted: copies of one alert are adjacent, and each distinct alert is one row.
                try insert(alert)
                staged.unindexedAlerts.append((alert, database.lastInsertRowID))
            }
            return changed + content.timeline.count + staged.unindexedAlerts.count
        }
        staged.index()
        var seenBuckets = Set<Int64>()
        for bucket in content.timeline {
            seenBuckets.insert(bucket.bucketStart)
            let previous = staged.timeline[bucket.bucketStart]
            if previous?.view == bucket { continue }
            if let previous {
                try close(closeBucket, rowID: previous.rowID, generation: generation)
                changed += 1
            }
            try insert(bucket)
            staged.timeline[bucket.bucketStart] = (bucket, database.lastInsertRowID)
            changed += 1
        }
        for (start, stored) in staged.timeline where !seenBuckets.contains(start) {
            try close(closeBucket, rowID: stored.rowID, generation: generation)
            staged.timeline[start] = nil
            changed += 1
        }

        let closesAlerts = !staged.alerts.isEmpty
        let currentAlerts = closesAlerts ? Set(content.alerts) : []
        for alert in content.alerts where staged.alerts[alert] == nil {
            try insert(alert)
            staged.alerts[alert] = database.lastInsertRowID
            changed += 1
        }
        if closesAlerts {
            for (alert, rowID) in staged.alerts where !currentAlerts.contains(alert) {
                try close(closeAlert, rowID: rowID, generation: generation)
                staged.alerts[alert] = nil
                changed += 1
            }
        }
        return changed
    }

    func close(_ statement: Statement, rowID: Int64, generation: Int64) throws(SQLiteError) {
        try statement.bind(1, generation)
        try statement.bind(2, rowID)
        try statement.run()
    }

    /// Reads back the rollup, timeline and alert rows of the committed generation.
    func loadWrittenViews() throws {
        var views = WrittenViews()
        let rollups = try database.prepare("""
            SELECT rowid, kind, key, sessions, llm_calls, input_tokens, output_tokens, cost_nanos, tool_errors,
                active, completed, failed, cancelled, timeout, response_count, response_total_ms, feedback, avg_rating,
                negative_feedback
            FROM rollups WHERE gen_to IS NULL
            """)
        while try rollups.step() {
            var view = RollupView(key: rollups.string(2))
            view.sessions = rollups.int64(3)
            view.llmCalls = rollups.int64(4)
            view.inputTokens = rollups.optionalInt64(5)
            view.outputTokens = rollups.optionalInt64(6)
            view.costNanos = rollups.int64(7)
            view.toolErrors = rollups.int64(8)
            view.active = rollups.int64(9)
            view.completed = rollups.int64(10)
            view.failed = rollups.int64(11)
            view.cancelled = rollups.int64(12)
            view.timeout = rollups.int64(13)
            view.successRate = RollupView.successRate(completed: view.completed, sessions: view.sessions)
            view.responseCount = rollups.int64(14)
            view.responseTotalMs = rollups.int64(15)
            view.feedback = rollups.int64(16)
            view.averageRating = rollups.optionalDouble(17)
            view.negativeFeedback = rollups.int64(18)
            views.rollups[WrittenViews.RollupID(kind: rollups.string(1), key: view.key)] = (view, rollups.int64(0))
        }
        let timeline = try database.prepare("""
            SELECT rowid, bucket_start, sessions_started, sessions_ended, messages, llm_calls, input_tokens,
                output_tokens, cost_nanos, tool_calls, tool_errors, llm_errors, feedback, negative_feedback
            FROM timeline WHERE gen_to IS NULL
            """)
        while try timeline.step() {
            var bucket = TimelineBucket(bucketStart: timeline.int64(1))
            bucket.sessionsStarted = timeline.int64(2)
            bucket.sessionsEnded = timeline.int64(3)
            bucket.messages = timeline.int64(4)
            bucket.llmCalls = timeline.int64(5)
            bucket.inputTokens = timeline.optionalInt64(6)
            bucket.outputTokens = timeline.optionalInt64(7)
            bucket.costNanos = timeline.int64(8)
            bucket.toolCalls = timeline.int64(9)
            bucket.toolErrors = timeline.int64(10)
            bucket.llmErrors = timeline.int64(11)
            bucket.feedback = timeline.int64(12)
            bucket.negativeFeedback = timeline.int64(13)
            views.timeline[bucket.bucketStart] = (bucket, timeline.int64(0))
        }
        let alerts = try database.prepare("""
            SELECT rowid, kind, session_id, user_id, ts, value, threshold, detail FROM alerts WHERE gen_to IS NULL
            """)
        while try alerts.step() {
            guard let kind = AlertView.Kind(rawValue: alerts.string(1)) else { continue }
            let alert = AlertView(
                kind: kind, sessionID: alerts.optionalString(2), userID: alerts.optionalString(3),
                timestamp: alerts.int64(4), value: alerts.double(5), threshold: alerts.double(6),
                detail: alerts.string(7))
            views.alerts[alert] = alerts.int64(0)
        }
        written = views
    }
}
