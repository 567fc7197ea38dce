internal import TallyPosix
import TallyCore

/// Generations: the meta table, the generations row, rollback of a failed commit, and pruning
/// of snapshots past `keep`.
extension SnapshotWriter {
    /// The generation the next ``write(_:metadata:)`` commits; files that belong to that
    /// snapshot (dead-letter batches) are named by it before it is written.
    public var nextGeneration: Int64 { committedGeneration + 1 }

    func setMeta(_ key: String, _ value: Int64) throws(SQLiteError) {
        let statement = try database.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)")
        try statement.bind(1, key)
        try statement.bind(2, value)
        try statement.run()
    }

    /// Inserts the `generations` row of the last committed snapshot (what the `current_*` views follow).
    func recordGeneration() throws(SQLiteError) {
        guard let row = unrecordedGeneration else { return }
        let statement = try database.prepare("""
            INSERT OR REPLACE INTO generations(generation, committed_at, watermark, inactivity_timeout_ms)
            VALUES (?1, ?2, ?3, ?4)
            """)
        try statement.bind(1, row.generation)
        try statement.bind(2, Timestamp.rfc3339(ms: row.committedAt))
        try statement.bind(3, row.watermark)
        try statement.bind(4, row.timeoutMs)
        try statement.run()
        unrecordedGeneration = nil
    }

    /// Removes every row of generations after the committed one and reopens what they closed.
    func rollBack() throws {
        let generation = committedGeneration
        try database.transaction {
            for table in Schema.versionedTables {
                try database.execute("DELETE FROM \(table) WHERE gen_from > \(generation)")
                try database.execute("UPDATE \(table) SET gen_to = NULL WHERE gen_to > \(generation)")
            }
            try database.execute("DELETE FROM generations WHERE generation > \(generation)")
            try setMeta(Schema.Meta.sqlGeneration, generation)
        }
    }

    /// Keeps the newest `keep` manifests; removes older manifests, their state files, and
    /// the rows no kept generation can see.
    func prune() throws {
        guard let oldestKept = try directory.pruneFiles(keep: keep), oldestKept > pruneFloor else { return }
        try database.transaction {
            for table in Schema.versionedTables {
                try database.execute("DELETE FROM \(table) WHERE gen_to <= \(oldestKept)")
            }
            try database.execute("DELETE FROM generations WHERE generation < \(oldestKept)")
            try setMeta(Schema.Meta.pruneFloor, oldestKept)
        }
        pruneFloor = oldestKept
    }

    /// The dead-letter files of this directory's snapshots in `directory` (see
    /// ``SnapshotDirectory/DeadLetters``): the files of generation ``nextGeneration`` are written
    /// before it commits.
    package func deadLetters(in directory: String) -> SnapshotDirectory.DeadLetters {
        SnapshotDirectory.DeadLetters(directory: directory, identity: identity)
    }

    /// The snapshot directory's path.
    package var path: String { directory.path }
}
