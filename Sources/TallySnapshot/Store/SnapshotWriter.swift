internal import TallyPosix
import TallyCore

/// Writes the snapshots of one directory: a versioned SQLite session store, a small
/// JSON manifest per generation (the commit point) and the fold's globals.
///
/// ```swift
/// let (writer, restored) = try SnapshotWriter.open(directory: "/var/tally/snapshots", keep: 5)
/// var fold = try restored?.rebuildFold(settings: settings) ?? FoldState(settings: settings)
/// // … fold events …
/// let info = try writer.write(&fold, metadata: SnapshotMetadata(positions: positions, settings: canonicalSettings))
/// ```
///
/// Durability: a snapshot is complete once its manifest has been renamed into place and the
/// directory fsynced; readers and ``open(directory:keep:)`` use only complete snapshots.
/// Cost: a write inserts one row per session changed since the previous write, closes one per
/// changed or dropped session, and writes only the rollup, timeline and alert rows that differ
/// from the previous snapshot; retained sessions that did not change are not touched.
/// When a write fails the session changes taken from the fold stay pending in the writer and
/// go into the next write. One writer per directory (an exclusive `flock` on `writer.lock`).
/// The writer must be the only caller of `FoldState.takeChanges()` on the fold it writes: it
/// learns from those changes which sessions and rollup keys to rewrite.
/// Not thread-safe: use it from one thread.
public final class SnapshotWriter {
    let directory: SnapshotDirectory
    let keep: Int
    /// The snapshot directory's identity: names its dead-letter files.
    package let identity: String
    /// Legacy-named dead-letter files are this directory's up to this generation (see ``Manifest``).
    var deadLetterLegacyThrough: Int64 = 0
    /// What ``open(directory:keep:)`` did to recover the directory, one line each (a damaged
    /// manifest moved aside, say): for the caller to log as warnings.
    public internal(set) var recoveryNotes: [String] = []
    let database: Database
    let lockDescriptor: Int32
    /// The newest complete snapshot in the directory (0: none).
    private(set) var committedGeneration: Int64
    var pruneFloor: Int64
    var pending: [String: PendingSession] = [:]
    var written = WrittenViews()
    /// The rollup rows written last are those of the fold passed to the last successful
    /// `write(_:metadata:)`: the next one needs to diff only the rollup keys the fold reports changed.
    var rollupsFollowFold = false
    /// Rollup keys the fold reported changed since the last successful write.
    var pendingRollupKeys: [RollupKey: Set<String>] = [:]
    /// Rows of a generation newer than ``committedGeneration`` may be in the database.
    var needsRollback = false
    /// A write without a journal failed: the database file may be damaged and is replaced before the next write.
    var needsFreshDatabase = false
    /// A committed generation whose `generations` row is not yet inserted.
    var unrecordedGeneration: (generation: Int64, committedAt: Int64, watermark: Int64?, timeoutMs: Int64)?
    var pendingFrames = (changes: FrameChanges(), pricing: [UInt8]?.none)
    /// A first write of at least this many sessions (or frame lists) drops their indexes, inserts,
    /// and builds the indexes once; smaller writes insert with the indexes in place.
    var bulkInsertThreshold = SnapshotWriter.defaultBulkInsertThreshold
    /// For ``storedSession(_:)``.
    let reloadStatements = ReloadStatements()

    private init(
        directory: SnapshotDirectory, keep: Int, database: Database, lockDescriptor: Int32, committed: Int64,
        pruneFloor: Int64, identity: String
    ) {
        self.directory = directory
        self.identity = identity
        self.keep = keep
        self.database = database
        self.lockDescriptor = lockDescriptor
        self.committedGeneration = committed
        self.pruneFloor = pruneFloor
    }

    deinit {
        Posix.close(lockDescriptor)
    }

    /// Opens (creating) a snapshot directory for writing and recovers it: the newest manifest that
    /// parses and whose state file checks out is the current snapshot; rows of newer, unfinished
    /// generations are rolled back and temporary files removed. `keep` (at least 1) complete
    /// snapshots are kept. Returns the snapshot to resume from, `nil` for an empty directory.
    ///
    /// Nothing that cannot be read is deleted (see ``SnapshotDirectory/chooseCurrent(notes:)``): a
    /// manifest of a newer format version is `.newerFormat`; damaged manifests newer than a good one
    /// are moved aside (``recoveryNotes`` says so); `sessions.db` is started afresh only when no
    /// manifest exists at all, and a missing or damaged one beside manifests is `.corrupt` with what to do.
    public static func open(directory path: String, keep: Int) throws -> (writer: SnapshotWriter, restored: RestoredSnapshot?) {
        let directory = SnapshotDirectory(path)
        try directory.create()
        let lock = try directory.lock()
        do {
            try directory.removeTemporaryFiles()
            var notes: [String] = []
            let current = try directory.chooseCurrent(notes: &notes)
            let identity = try directory.identity()
            let database = try SessionsDatabase.open(in: directory, current: current?.manifest)
            let committed = current?.manifest.generation ?? 0
            let (sqlGeneration, pruneFloor) = try SessionsDatabase.generations(of: database, directory: directory, current: current?.manifest)
            let writer = SnapshotWriter(
                directory: directory, keep: max(1, keep), database: database, lockDescriptor: lock,
                committed: committed, pruneFloor: pruneFloor, identity: identity)
            writer.recoveryNotes = notes
            if sqlGeneration > committed { try writer.rollBack() }
            try directory.removeStateFiles(after: committed)
            try writer.loadWrittenViews()
            guard let current else { return (writer, nil) }
            let manifest = current.manifest
            // A directory continued from an older build: its legacy-named dead-letter files are its own.
            writer.deadLetterLegacyThrough = manifest.deadLetterID == nil ? manifest.generation : manifest.deadLetterLegacyThrough
            writer.unrecordedGeneration = (manifest.generation, manifest.snapshotAt, manifest.watermark, manifest.inactivityTimeoutMs)
            try writer.recordGeneration()
            let restored = RestoredSnapshot(manifest: manifest, globals: current.globals, database: database)
            return (writer, restored)
        } catch {
            Posix.close(lock)
            throw error
        }
    }

    static func createSchema(in database: Database) throws {
        try database.execute(Schema.writerPragmas)
        // One transaction: one WAL commit and fsync for the whole schema, not one per statement.
        try database.transaction {
            try database.execute(Schema.tables)
            // A database written before 1.1 gets the columns 1.1 added.
            var existing: [String: Set<String>] = [:]
            for table in ["rollups", "timeline"] + Schema.sessionTableNames { existing[table] = try database.columns(of: table) }
            let added = Schema.addedColumns(missingIn: existing)
            if !added.isEmpty { try database.execute(added) }
            try database.execute(Schema.views)
            try database.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('\(Schema.Meta.schemaVersion)', \(Schema.version))")
        }
    }

    /// Takes the fold's changes and writes the next snapshot generation. Throws when the
    /// snapshot could not be made complete; the changes then stay pending for the next call.
    @discardableResult
    public func write(_ fold: inout FoldState, metadata: SnapshotMetadata) throws -> SnapshotInfo {
        stage(fold.takeChanges(), droppedUnlessLiveIn: fold)
        stageFrames(of: &fold)
        let rollups = pendingRollups(of: fold)
        let folded = fold
        let info = try commit(sessionsAt: (fold.watermark, fold.settings.inactivityTimeoutMs), metadata: metadata) {
            (Self.content(of: folded, rollups: rollups), [:])
        }
        rollupsFollowFold = true
        pendingRollupKeys.removeAll()
        return info
    }

    /// Writes the next snapshot generation of a fold made of parts split by session (replay's shards):
    /// each part's changes (its `takeChanges()`, taken in parallel) go into SQLite on a second thread
    /// while `merge` builds the whole fold on this one, so the merge costs no time of its own. The
    /// merged fold's own changes are written next and win where both name a session. Returns the
    /// merged fold. Throws as ``write(_:metadata:)`` does; every change stays pending then.
    ///
    /// `watermark` and `inactivityTimeoutMs` are the parts' together (the merged fold's): they decide
    /// which parts' sessions have settled (see `sessions_cold`). A dropped session of a part stays
    /// dropped unless the merged fold changed it again: no other part may hold that session.
    public func write(
        partChanges: [FoldChanges], watermark: Int64?, inactivityTimeoutMs: Int64,
        merging merge: () -> FoldState, metadata: SnapshotMetadata
    ) throws -> (info: SnapshotInfo, fold: FoldState) {
        for changes in partChanges {
            for (key, values) in changes.rollupKeys { pendingRollupKeys[key, default: []].formUnion(values) }
        }
        // With nothing pending, the parts' changes are written as they are (no session is in two
        // parts) and staged only if the write fails; otherwise they join the pending ones first.
        var parts = partChanges
        if !pending.isEmpty {
            for changes in partChanges { Self.add(changes, droppedUnlessLiveIn: nil, to: &pending) }
            parts = []
        }
        var merged: FoldState?
        // While the part changes are written (the second thread reads only them), this thread
        // merges, takes the merged fold's own changes and computes the views.
        let info: SnapshotInfo
        do {
            info = try commit(sessionsAt: (watermark, inactivityTimeoutMs), metadata: metadata, parts: parts) {
                var fold = merge()
                let own = fold.takeChanges()
                stageFrames(of: &fold)
                for (key, values) in own.rollupKeys { pendingRollupKeys[key, default: []].formUnion(values) }
                let content = Self.content(of: fold, rollups: pendingRollups(of: fold))
                merged = fold
                var later: [String: PendingSession] = [:]
                Self.add(own, droppedUnlessLiveIn: fold, to: &later)
                return (content, later)
            }
        } catch {
            // The parts' changes stay pending too, under the merged fold's own (newer) ones.
            for changes in parts {
                var staged: [String: PendingSession] = [:]
                Self.add(changes, droppedUnlessLiveIn: nil, to: &staged)
                pending.merge(staged) { mergedFolds, _ in mergedFolds }
            }
            throw error
        }
        rollupsFollowFold = true
        pendingRollupKeys.removeAll()
        return (info, merged!)
    }

    /// Adds `changes` to the pending session writes and rollup keys.
    func stage(_ changes: FoldChanges, droppedUnlessLiveIn fold: FoldState?) {
        Self.add(changes, droppedUnlessLiveIn: fold, to: &pending)
        for (key, values) in changes.rollupKeys { pendingRollupKeys[key, default: []].formUnion(values) }
    }

    /// Adds the session changes of `changes` to `sessions`. A dropped session is dropped unless
    /// `fold` (when given) holds it again.
    static func add(
        _ changes: FoldChanges, droppedUnlessLiveIn fold: FoldState?, to sessions: inout [String: PendingSession]
    ) {
        sessions.reserveCapacity(sessions.count + changes.sessions.count)
        for change in changes.sessions {
            sessions[change.row.sessionID] = .upsert(change.row, state: change.state)
        }
        for sessionID in changes.droppedSessionIDs where fold?.session(sessionID) == nil {
            sessions[sessionID] = .drop
        }
    }

    /// The rollup rows to write for `fold`: those of the pending keys when the rows written last
    /// follow the fold, otherwise all of them.
    func pendingRollups(of fold: FoldState) -> (rows: [String: [RollupView]], changedKeys: [String: Set<String>]?) {
        var rows: [String: [RollupView]] = [:]
        guard rollupsFollowFold else {
            for key in RollupKey.allCases { rows[key.rawValue] = fold.rollups(by: key) }
            return (rows, nil)
        }
        var changedKeys: [String: Set<String>] = [:]
        for key in RollupKey.allCases {
            let keys = pendingRollupKeys[key] ?? []
            rows[key.rawValue] = fold.rollups(by: key, keys: keys)
            changedKeys[key.rawValue] = keys
        }
        return (rows, changedKeys)
    }

    static func content(
        of fold: FoldState, rollups: (rows: [String: [RollupView]], changedKeys: [String: Set<String>]?)
    ) -> SnapshotContent {
        SnapshotContent(
            watermark: fold.watermark, inactivityTimeoutMs: fold.settings.inactivityTimeoutMs,
            summary: fold.summary(), tools: fold.tools(), models: fold.models(), errors: fold.errorGroupViews(),
            rollups: rollups.rows,
            timeline: fold.timeline(), alerts: fold.alerts(), globals: fold.encodeGlobals(),
            changedRollupKeys: rollups.changedKeys)
    }

    /// Queues a changed session for the next write.
    func stage(_ row: SessionRow, state: [UInt8]) {
        pending[row.sessionID] = .upsert(row, state: state)
    }

    /// Queues a dropped session for the next write.
    func stageDrop(_ sessionID: String) { pending[sessionID] = .drop }

    var pendingCount: Int { pending.count }

    /// Writes complete views given directly (not from a fold).
    @discardableResult
    func write(content: SnapshotContent, metadata: SnapshotMetadata) throws -> SnapshotInfo {
        rollupsFollowFold = false
        return try commit(sessionsAt: (content.watermark, content.inactivityTimeoutMs), metadata: metadata) {
            (content, [:])
        }
    }

    /// Writes the pending sessions and the views `makeContent` computes as the next generation. The
    /// session rows go into SQLite on a second thread while `makeContent` runs on this one. `parts`
    /// (changes of a fold's parts, no session also pending) are written with the pending ones; the
    /// caller keeps them pending if the write fails.
    ///
    /// `makeContent` may also return session changes that come after the pending ones (a merged
    /// fold's own): they are written once the pending ones are in, replacing their rows where both
    /// name a session, and stay pending with them when the write fails. `sessionsAt` (watermark,
    /// inactivity timeout) decides which sessions have settled.
    func commit(
        sessionsAt: (watermark: Int64?, inactivityTimeoutMs: Int64), metadata: SnapshotMetadata,
        parts: [FoldChanges] = [],
        content makeContent: () -> (content: SnapshotContent, later: [String: PendingSession])
    ) throws -> SnapshotInfo {
        if needsFreshDatabase {
            try database.recreate()
            try Self.createSchema(in: database)
            needsFreshDatabase = false
            needsRollback = false
        }
        if needsRollback {
            try rollBack()
            needsRollback = false
        }
        let generation = committedGeneration + 1
        let snapshotAt = metadata.snapshotAt ?? WallClock.milliseconds()
        var staged = written
        // The first generation goes into empty tables, and nothing refers to the database before its
        // manifest exists: it is written without a journal (each page written once, not to the WAL
        // and again to the database) and fsynced once. A failed write leaves the file in an unknown
        // state, so it is replaced by an empty database; `open` does the same after a crash.
        let unjournaled = committedGeneration == 0
        if unjournaled { try database.execute(Schema.unjournaledPragmas) }
        let (watermark, inactivityTimeoutMs) = sessionsAt
        var later: [String: PendingSession] = [:]
        let result = Result { () throws -> (sessionRows: (written: Int, closed: Int), content: SnapshotContent, viewRowsChanged: Int) in
            try database.transaction {
                if unrecordedGeneration != nil { try recordGeneration() }
                // The connection belongs to the session writes until `concurrently` returns.
                let first = SessionBatch(pending: pending, parts: parts)
                let (counts, content) = try concurrently({
                    try writeSessions(first, generation: generation, watermark: watermark, inactivityTimeoutMs: inactivityTimeoutMs)
                }, while: {
                    let made = makeContent()
                    later = made.later
                    return made.content
                })
                let laterCounts = try writeSessions(
                    SessionBatch(pending: later), replacing: first, generation: generation, watermark: content.watermark,
                    inactivityTimeoutMs: content.inactivityTimeoutMs)
                try settleSessions(generation: generation, watermark: content.watermark, inactivityTimeoutMs: content.inactivityTimeoutMs)
                let viewRowsChanged = try writeViews(content, generation: generation, into: &staged)
                try writeFrames(generation: generation)
                try setMeta(Schema.Meta.sqlGeneration, generation)
                if unjournaled {
                    // Its `generations` row too: without a manifest the whole file is discarded anyway,
                    // so no later transaction (and WAL checkpoint) is needed to record it.
                    unrecordedGeneration = (generation, snapshotAt, content.watermark, content.inactivityTimeoutMs)
                    try recordGeneration()
                }
                let sessionRows = (counts.written + laterCounts.written, counts.closed + laterCounts.closed)
                return (sessionRows, content, viewRowsChanged)
            }
        }
        // Written or not, the later changes are pending like the others until a write completes.
        pending.merge(later) { _, newer in newer }
        let sessionRows: (written: Int, closed: Int)
        let content: SnapshotContent
        let viewRowsChanged: Int
        do {
            (sessionRows, content, viewRowsChanged) = try result.get()
            if unjournaled {
                try database.execute(Schema.writerPragmas)
                try io { try FileOperations.syncFile(database.path) }
            }
        } catch {
            if unjournaled { needsFreshDatabase = true }
            throw error
        }
        needsRollback = true

        let statePath = directory.file(SnapshotDirectory.stateName(generation: generation))
        let manifestPath = directory.file(SnapshotDirectory.manifestName(generation: generation))
        do {
            // The manifest's write fsyncs the directory, making both renames durable.
            try io {
                try FileOperations.writeAtomically(
                    content.globals, to: statePath, mode: SnapshotDirectory.filePermissions, syncDirectory: false)
            }
            let manifest = Manifest(
                generation: generation, snapshotAt: snapshotAt, watermark: content.watermark,
                inactivityTimeoutMs: content.inactivityTimeoutMs, settings: metadata.settings,
                positions: metadata.positions?.json ?? .emptyObject, health: metadata.health,
                deadLetter: metadata.deadLetterDirectory, deadLetterID: identity,
                deadLetterLegacyThrough: deadLetterLegacyThrough, spoolID: metadata.spoolIdentity,
                summary: Records.summary(content.summary, snapshotAt: snapshotAt),
                tools: Records.tools(content.tools), models: Records.models(content.models),
                errors: Records.errors(content.errors), stateFile: SnapshotDirectory.stateName(generation: generation),
                stateBytes: Int64(content.globals.count),
                stateCRC32: Int64(CRC32.checksum(content.globals)))
            try io { try FileOperations.writeAtomically(manifest.encoded(), to: manifestPath, mode: SnapshotDirectory.filePermissions) }
        } catch {
            try? Posix.remove(manifestPath)
            try? Posix.remove(statePath)
            throw error
        }

        committedGeneration = generation
        pending.removeAll(keepingCapacity: true)
        framesWritten()
        written = staged
        needsRollback = false
        if !unjournaled {
            unrecordedGeneration = (generation, snapshotAt, content.watermark, content.inactivityTimeoutMs)
        }
        var cleanupError: SnapshotError?
        do {
            try recordGeneration()
            try prune()
        } catch {
            cleanupError = error as? SnapshotError
                ?? SnapshotError(code: .io, message: "cannot clean up snapshot directory \(directory.path): \(error)", path: directory.path)
        }
        return SnapshotInfo(
            generation: generation, manifestPath: manifestPath, sessionRowsWritten: sessionRows.written,
            sessionRowsClosed: sessionRows.closed, viewRowsChanged: viewRowsChanged, cleanupError: cleanupError)
    }
}
