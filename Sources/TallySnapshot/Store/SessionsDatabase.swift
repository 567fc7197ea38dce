internal import CSQLite
internal import TallyPosix

/// What a writer checks of `sessions.db` when it opens a directory with snapshots, and the
/// one line it says when the file is lost or damaged while manifests remain.
enum SessionsDatabase {
    /// Opens `sessions.db` (0600, a symlink never followed) with its schema. Without any manifest
    /// the file holds only rows of unfinished generations (perhaps a first generation cut short
    /// while written without a journal) and is started afresh; beside a manifest it must exist.
    static func open(in directory: SnapshotDirectory, current: Manifest?) throws -> Database {
        let path = directory.databasePath
        guard let current else {
            if try directory.manifests().isEmpty { Database.remove(path: path) }
            let database = try Database(path: path, mode: .readWrite)
            try SnapshotWriter.createSchema(in: database)
            return database
        }
        let manifestPath = directory.file(SnapshotDirectory.manifestName(generation: current.generation))
        guard let status = try io({ try Posix.lstat(path) }) else {
            throw lost(path, what: "is missing", manifest: manifestPath)
        }
        // SQLite would wait on a FIFO: anything but a regular file is no database Tally wrote.
        guard status.isRegular else { throw lost(path, what: "is not a regular file", manifest: manifestPath) }
        do {
            let database = try Database(path: path, mode: .readWriteExisting)
            try SnapshotWriter.createSchema(in: database)
            return database
        } catch let error as SQLiteError where isDamage(error) {
            throw lost(path, what: "is damaged (\(error.message))", manifest: manifestPath)
        }
    }

    /// The newest generation whose rows the database holds and the oldest it still holds
    /// (`sql_generation`, `prune_floor`); `.corrupt` with what to do when they do not cover the
    /// current snapshot, or the schema is not this build's.
    static func generations(
        of database: Database, directory: SnapshotDirectory, current: Manifest?
    ) throws -> (sqlGeneration: Int64, pruneFloor: Int64) {
        let path = database.path
        let schemaVersion = try database.scalar("SELECT value FROM meta WHERE key = '\(Schema.Meta.schemaVersion)'")
        if let schemaVersion, schemaVersion != Schema.version {
            throw SnapshotError(code: .corrupt, message: "\(path) has schema version \(schemaVersion), expected \(Schema.version)", path: path)
        }
        let sqlGeneration = try database.scalar("SELECT value FROM meta WHERE key = '\(Schema.Meta.sqlGeneration)'") ?? 0
        let pruneFloor = try database.scalar("SELECT value FROM meta WHERE key = '\(Schema.Meta.pruneFloor)'") ?? 0
        let committed = current?.generation ?? 0
        if sqlGeneration < committed || pruneFloor > committed {
            throw lost(
                path, what: "does not hold the rows of snapshot \(committed) (it holds generations \(pruneFloor)…\(sqlGeneration))",
                manifest: directory.file(SnapshotDirectory.manifestName(generation: committed)))
        }
        return (sqlGeneration, pruneFloor)
    }

    /// Whether an SQLite error says the file is not a database or is damaged.
    static func isDamage(_ error: SQLiteError) -> Bool {
        let primary = error.code.primary
        return primary == .corrupt || primary == .notADatabase
    }

    /// `sessions.db` lost or damaged while `manifest` remains: nothing is deleted, and the line says
    /// what to do (the README's "Recovery").
    static func lost(_ path: String, what: String, manifest: String, code: SnapshotError.Code = .corrupt) -> SnapshotError {
        SnapshotError(
            code: code,
            message: "\(path) \(what) while snapshot \(manifest) remains; nothing was deleted: restore the snapshot "
                + "directory from a backup, or replay the spool's retained segments into a new directory "
                + "(`tally replay --pipeline FILE --out NEW SPOOL`) and point `snapshots:` at it (README: Recovery)",
            path: path)
    }
}
