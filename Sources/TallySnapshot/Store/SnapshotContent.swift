import TallyCore

/// Everything one snapshot holds besides the per-session rows: the fold's views at the
/// time of the write and its encoded globals. ``SnapshotWriter`` reads it from a `FoldState`.
struct SnapshotContent {
    var watermark: Int64?
    var inactivityTimeoutMs: Int64
    var summary: SummaryView
    var tools: [ToolView]
    var models: [ModelView]
    var errors: [ErrorGroupView]
    /// `user`, `org`, `project` → rows.
    var rollups: [String: [RollupView]]
    var timeline: [TimelineBucket]
    /// Sorted as `FoldState.alerts()` returns them: copies of one alert are adjacent (one row each distinct alert).
    var alerts: [AlertView]
    var globals: [UInt8]
    /// When set, `rollups` holds only these keys (per kind) and every other rollup row is
    /// unchanged since the previous write; `nil`: `rollups` is complete.
    var changedRollupKeys: [String: Set<String>]? = nil
}

/// A session change waiting to be written.
enum PendingSession {
    case upsert(SessionRow, state: [UInt8])
    case drop
}

/// The session changes of one pass of the writer: pending ones, and changes of a fold's parts
/// written as they were taken, not first copied into a map (no session is in two parts or also pending).
struct SessionBatch {
    var pending: [String: PendingSession] = [:]
    var parts: [FoldChanges] = []

    var isEmpty: Bool {
        pending.isEmpty && parts.allSatisfy { $0.sessions.isEmpty && $0.droppedSessionIDs.isEmpty }
    }

    var count: Int {
        pending.count + parts.reduce(0) { $0 + $1.sessions.count + $1.droppedSessionIDs.count }
    }

    /// Calls `body` with each session: its new row and state, or no row for a dropped session.
    func forEach(_ body: (_ sessionID: String, _ row: SessionRow?, _ state: [UInt8]) throws -> Void) rethrows {
        for (sessionID, change) in pending {
            switch change {
            case .upsert(let row, let state): try body(sessionID, row, state)
            case .drop: try body(sessionID, nil, [])
            }
        }
        for changes in parts {
            for change in changes.sessions { try body(change.row.sessionID, change.row, change.state) }
            for sessionID in changes.droppedSessionIDs { try body(sessionID, nil, []) }
        }
    }

    func sessionIDs() -> Set<String> {
        var ids = Set(pending.keys)
        for changes in parts {
            for change in changes.sessions { ids.insert(change.row.sessionID) }
            ids.formUnion(changes.droppedSessionIDs)
        }
        return ids
    }
}

/// What the writer last wrote for the diffed views, with each row's rowid so it can be closed.
struct WrittenViews {
    struct RollupID: Hashable {
        var kind: String
        var key: String
    }
    var rollups: [RollupID: (view: RollupView, rowID: Int64)] = [:]
    var timeline: [Int64: (view: TimelineBucket, rowID: Int64)] = [:]
    var alerts: [AlertView: Int64] = [:]
    /// Rows a write into empty timeline and alert tables inserted, not yet keyed in `timeline` and
    /// `alerts`: a replay writes once, so the maps are built only when a later write diffs against them.
    var unindexedTimeline: [(view: TimelineBucket, rowID: Int64)] = []
    var unindexedAlerts: [(view: AlertView, rowID: Int64)] = []

    /// No timeline or alert row is written.
    var hasNoTimelineOrAlerts: Bool {
        timeline.isEmpty && alerts.isEmpty && unindexedTimeline.isEmpty && unindexedAlerts.isEmpty
    }

    /// Moves the unindexed rows into the maps.
    mutating func index() {
        timeline.reserveCapacity(timeline.count + unindexedTimeline.count)
        for (view, rowID) in unindexedTimeline { timeline[view.bucketStart] = (view, rowID) }
        alerts.reserveCapacity(alerts.count + unindexedAlerts.count)
        for (view, rowID) in unindexedAlerts { alerts[view] = rowID }
        unindexedTimeline = []
        unindexedAlerts = []
    }
}

/// What one ``SnapshotWriter/write(_:metadata:)`` did.
public struct SnapshotInfo: Sendable {
    public var generation: Int64
    public var manifestPath: String
    /// Session versions inserted and closed (changed plus dropped sessions).
    public var sessionRowsWritten: Int
    public var sessionRowsClosed: Int
    /// Rollup, timeline and alert rows inserted or closed.
    public var viewRowsChanged: Int
    /// The snapshot is committed; removing older snapshots failed with this error (retried next time).
    public var cleanupError: SnapshotError?
}
