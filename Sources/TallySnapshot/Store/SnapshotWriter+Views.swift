internal import TallyPosix
import TallyCore

/// The versioned view rows (alerts, timeline, rollups): diffing against what is written, and
/// closing the rows that went away.
extension SnapshotWriter {
    func writeViews(_ content: SnapshotContent, generation: Int64, into staged: inout WrittenViews) throws -> Int {
        var changed = 0
        let closeRollup = try database.prepare("UPDATE rollups SET gen_to = ?1 WHERE rowid = ?2")
        let insertRollup = try database.prepare("""
            INSERT INTO rollups(kind, key, gen_from, \(ViewColumns.selectSQL(ViewColumns.rollups)))
            VALUES (?1, ?2, ?3, \(ViewColumns.placeholders(ViewColumns.rollups, from: 4)))
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
            try ViewColumns.bind(view, ViewColumns.rollups, from: 4, to: insertRollup)
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
            INSERT INTO timeline(bucket_start, gen_from, \(ViewColumns.selectSQL(ViewColumns.timeline)))
            VALUES (?1, ?2, \(ViewColumns.placeholders(ViewColumns.timeline, from: 3)))
            """)
        func insert(_ bucket: TimelineBucket) throws(SQLiteError) {
            try insertBucket.bind(1, bucket.bucketStart)
            try insertBucket.bind(2, generation)
            try ViewColumns.bind(bucket, ViewColumns.timeline, from: 3, to: insertBucket)
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
            SELECT rowid, kind, key, \(ViewColumns.selectSQL(ViewColumns.rollups)) FROM rollups WHERE gen_to IS NULL
            """)
        while try rollups.step() {
            var view = RollupView(key: rollups.string(2))
            for (offset, column) in ViewColumns.rollups.enumerated() { column.read(rollups, at: Int32(3 + offset), into: &view) }
            view.successRate = RollupView.successRate(completed: view.completed, sessions: view.sessions)
            views.rollups[WrittenViews.RollupID(kind: rollups.string(1), key: view.key)] = (view, rollups.int64(0))
        }
        let timeline = try database.prepare("""
            SELECT rowid, bucket_start, \(ViewColumns.selectSQL(ViewColumns.timeline)) FROM timeline WHERE gen_to IS NULL
            """)
        while try timeline.step() {
            var bucket = TimelineBucket(bucketStart: timeline.int64(1))
            for (offset, column) in ViewColumns.timeline.enumerated() { column.read(timeline, at: Int32(2 + offset), into: &bucket) }
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
