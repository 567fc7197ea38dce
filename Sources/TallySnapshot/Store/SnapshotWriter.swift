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
    let directory: String
    let keep: Int
    let database: Database
    private let lockDescriptor: Int32
    /// The newest complete snapshot in the directory (0: none).
    private(set) var committedGeneration: Int64
    private var pruneFloor: Int64
    private var pending: [String: PendingSession] = [:]
    private var written = WrittenViews()
    /// The rollup rows written last are those of the fold passed to the last successful
    /// `write(_:metadata:)`: the next one needs to diff only the rollup keys the fold reports changed.
    private var rollupsFollowFold = false
    /// Rollup keys the fold reported changed since the last successful write.
    private var pendingRollupKeys: [RollupKey: Set<String>] = [:]
    /// Rows of a generation newer than ``committedGeneration`` may be in the database.
    private var needsRollback = false
    /// A write without a journal failed: the database file may be damaged and is replaced before the next write.
    private var needsFreshDatabase = false
    /// A committed generation whose `generations` row is not yet inserted.
    private var unrecordedGeneration: (generation: Int64, committedAt: Int64, watermark: Int64?, timeoutMs: Int64)?

    private init(directory: String, keep: Int, database: Database, lockDescriptor: Int32, committed: Int64, pruneFloor: Int64) {
        self.directory = directory
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
    public static func open(directory: String, keep: Int) throws -> (writer: SnapshotWriter, restored: RestoredSnapshot?) {
        try io { try FileOperations.createDirectories(directory) }
        let lockPath = FileOperations.join(directory, "writer.lock")
        guard let lock = try io({ try FileOperations.lockExclusively(lockPath) }) else {
            throw SnapshotError(code: .busy, message: "snapshot directory \(directory) is in use by another writer", path: directory)
        }
        do {
            for name in try io { try Posix.listDirectory(directory) } where name.hasSuffix(".tmp") {
                try? Posix.remove(FileOperations.join(directory, name))
            }
            var current: (manifest: Manifest, globals: [UInt8])?
            for entry in try Manifest.list(in: directory).reversed() {
                let path = FileOperations.join(directory, entry.name)
                let loaded = Result { () throws(SnapshotError) -> (Manifest, [UInt8]) in
                    let manifest = try Manifest.read(path: path)
                    return (manifest, try manifest.readState(directory: directory))
                }
                switch loaded {
                case .success(let found):
                    current = found
                case .failure(let error) where error.code == .corrupt:
                    try? Posix.remove(path)
                    continue
                case .failure(let error):
                    throw error
                }
                break
            }
            let databasePath = FileOperations.join(directory, Manifest.databaseName)
            // Without a complete snapshot the database holds only rows of unfinished generations, and
            // perhaps a first generation cut short while written without a journal: start it afresh.
            if current == nil { Database.remove(path: databasePath) }
            let database = try Database(path: databasePath, mode: .readWrite)
            try createSchema(in: database)
            let schemaVersion = try database.scalar("SELECT value FROM meta WHERE key = '\(Schema.Meta.schemaVersion)'")
            if let schemaVersion, schemaVersion != Schema.version {
                throw SnapshotError(code: .corrupt, message: "\(databasePath) has schema version \(schemaVersion), expected \(Schema.version)", path: databasePath)
            }
            let committed = current?.manifest.generation ?? 0
            let sqlGeneration = try database.scalar("SELECT value FROM meta WHERE key = '\(Schema.Meta.sqlGeneration)'") ?? 0
            let pruneFloor = try database.scalar("SELECT value FROM meta WHERE key = '\(Schema.Meta.pruneFloor)'") ?? 0
            if sqlGeneration < committed || pruneFloor > committed {
                throw SnapshotError(
                    code: .corrupt,
                    message: "\(databasePath) does not hold the rows of snapshot \(committed) (it holds generations \(pruneFloor)…\(sqlGeneration)); remove the directory to start over",
                    path: databasePath)
            }
            let writer = SnapshotWriter(
                directory: directory, keep: max(1, keep), database: database, lockDescriptor: lock,
                committed: committed, pruneFloor: pruneFloor)
            if sqlGeneration > committed { try writer.rollBack() }
            for name in try io { try Posix.listDirectory(directory) } {
                if let generation = Manifest.generation(fromStateName: name), generation > committed {
                    try? Posix.remove(FileOperations.join(directory, name))
                }
            }
            try writer.loadWrittenViews()
            guard let current else { return (writer, nil) }
            let manifest = current.manifest
            writer.unrecordedGeneration = (manifest.generation, manifest.snapshotAt, manifest.watermark, manifest.inactivityTimeoutMs)
            try writer.recordGeneration()
            let restored = RestoredSnapshot(manifest: manifest, globals: current.globals, database: database)
            return (writer, restored)
        } catch {
            Posix.close(lock)
            throw error
        }
    }

    private static func createSchema(in database: Database) throws {
        try database.execute(Schema.writerPragmas)
        // One transaction: one WAL commit and fsync for the whole schema, not one per statement.
        try database.transaction {
            try database.execute(Schema.tables)
            try database.execute(Schema.views)
            try database.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('\(Schema.Meta.schemaVersion)', \(Schema.version))")
        }
    }

    /// Takes the fold's changes and writes the next snapshot generation. Throws when the
    /// snapshot could not be made complete; the changes then stay pending for the next call.
    @discardableResult
    public func write(_ fold: inout FoldState, metadata: SnapshotMetadata) throws -> SnapshotInfo {
        stage(fold.takeChanges(), droppedUnlessLiveIn: fold)
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
    private func stage(_ changes: FoldChanges, droppedUnlessLiveIn fold: FoldState?) {
        Self.add(changes, droppedUnlessLiveIn: fold, to: &pending)
        for (key, values) in changes.rollupKeys { pendingRollupKeys[key, default: []].formUnion(values) }
    }

    /// Adds the session changes of `changes` to `sessions`. A dropped session is dropped unless
    /// `fold` (when given) holds it again.
    private static func add(
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
    private func pendingRollups(of fold: FoldState) -> (rows: [String: [RollupView]], changedKeys: [String: Set<String>]?) {
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

    private static func content(
        of fold: FoldState, rollups: (rows: [String: [RollupView]], changedKeys: [String: Set<String>]?)
    ) -> SnapshotContent {
        SnapshotContent(
            watermark: fold.watermark, inactivityTimeoutMs: fold.settings.inactivityTimeoutMs,
            summary: fold.summary(), tools: fold.tools(), models: fold.models(), rollups: rollups.rows,
            timeline: fold.timeline(), alerts: fold.alerts(), globals: fold.encodeGlobals(),
            changedRollupKeys: rollups.changedKeys)
    }

    /// Queues a changed session for the next write.
    func stage(_ row: SessionRow, state: [UInt8]) {
        pending[row.sessionID] = .upsert(row, state: state)
    }

    /// Queues a dropped session for the next write.
    func stageDrop(_ sessionID: String) {
        pending[sessionID] = .drop
    }

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
    private func commit(
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

        let statePath = FileOperations.join(directory, Manifest.stateName(generation: generation))
        let manifestPath = FileOperations.join(directory, Manifest.name(generation: generation))
        do {
            // The manifest's write fsyncs the directory, making both renames durable.
            try io { try FileOperations.writeAtomically(content.globals, to: statePath, syncDirectory: false) }
            let manifest = Manifest(
                generation: generation, snapshotAt: snapshotAt, watermark: content.watermark,
                inactivityTimeoutMs: content.inactivityTimeoutMs, settings: metadata.settings,
                positions: metadata.positions?.json ?? .emptyObject, health: metadata.health,
                deadLetter: metadata.deadLetterDirectory,
                summary: Records.summary(content.summary, snapshotAt: snapshotAt),
                tools: Records.tools(content.tools), models: Records.models(content.models),
                stateFile: Manifest.stateName(generation: generation), stateBytes: Int64(content.globals.count),
                stateCRC32: Int64(CRC32.checksum(content.globals)))
            try io { try FileOperations.writeAtomically(manifest.encoded(), to: manifestPath) }
        } catch {
            try? Posix.remove(manifestPath)
            try? Posix.remove(statePath)
            throw error
        }

        committedGeneration = generation
        pending.removeAll(keepingCapacity: true)
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
                ?? SnapshotError(code: .io, message: "cannot clean up snapshot directory \(directory): \(error)", path: directory)
        }
        return SnapshotInfo(
            generation: generation, manifestPath: manifestPath, sessionRowsWritten: sessionRows.written,
            sessionRowsClosed: sessionRows.closed, viewRowsChanged: viewRowsChanged, cleanupError: cleanupError)
    }

    // MARK: - Rows

    private static func insertSessionSQL(table: String) -> String {
        """
        INSERT INTO \(table)(session_id, gen_from, gen_to, end_status, end_ts, started_at, last_activity_at,
            duration_ms, conversation_id, user_id, org_id, project_id, persona_id, messages, user_messages,
            assistant_messages, llm_calls, llm_errors, input_tokens, output_tokens, total_tokens, cost_nanos,
            unpriced_llm_calls, tool_calls, tool_errors, tool_timeouts, response_count, response_total_ms,
            max_response_ms, last_model, error_message, models_json, tools_json, state)
        VALUES (?1, ?2, NULL, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
            ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33)
        """
    }

    /// A first write with at least this many sessions builds the session indexes after inserting.
    static let bulkInsertThreshold = 20_000

    /// Writes `batch` as versions of `generation`. Sessions of `earlier` (a batch already written as
    /// this generation) get their version of this generation replaced: it is deleted, not closed.
    private func writeSessions(
        _ batch: SessionBatch, replacing earlier: SessionBatch = SessionBatch(),
        generation: Int64, watermark: Int64?, inactivityTimeoutMs: Int64
    ) throws -> (written: Int, closed: Int) {
        guard !batch.isEmpty else { return (0, 0) }
        // Before the first committed snapshot the session tables are empty (`open` and `rollBack`
        // remove the rows of uncommitted generations): there is no version to close, settled versions
        // go straight to `sessions_cold`, and a large write builds the indexes once, after its inserts.
        let hasVersions = committedGeneration > 0
        let bulk = !hasVersions && earlier.isEmpty && batch.count >= Self.bulkInsertThreshold
        if bulk {
            for index in Schema.sessionIndexNames { try database.execute("DROP INDEX IF EXISTS \(index)") }
        }
        let closes = try Schema.sessionTableNames.map { table in
            try database.prepare("UPDATE \(table) SET gen_to = ?1 WHERE session_id = ?2 AND gen_to IS NULL")
        }
        let earlierIDs = earlier.isEmpty ? [] : earlier.sessionIDs()
        let deletes = earlierIDs.isEmpty ? [] : try Schema.sessionTableNames.map { table in
            try database.prepare("DELETE FROM \(table) WHERE session_id = ?2 AND gen_from = ?1")
        }
        let insertHot = try database.prepare(Self.insertSessionSQL(table: "sessions_hot"))
        let insertCold = hasVersions ? nil : try database.prepare(Self.insertSessionSQL(table: "sessions_cold"))
        let timedOutBefore = watermark.map { $0 - inactivityTimeoutMs }
        var written = 0
        var closed = 0
        var json = JSONBytes()
        try batch.forEach { sessionID, row, state in
            // The earlier batch closed the session's older versions; its own version goes.
            let replaces = earlierIDs.contains(sessionID)
            for statement in replaces ? deletes : hasVersions ? closes : [] {
                try statement.bind(1, generation)
                try statement.bind(2, sessionID)
                try statement.run()
                if replaces { written -= database.changes } else { closed += database.changes }
            }
            guard let row else { return }
            let settled = row.endStatus != nil || timedOutBefore.map { row.lastActivityAt < $0 } ?? false
            let insert = settled ? insertCold ?? insertHot : insertHot
            try bindSession(row, state: state, generation: generation, to: insert, json: &json)
            try insert.run()
            written += 1
        }
        if bulk { try database.execute(Schema.tables) }
        return (written, closed)
    }

    /// A version waits this many generations in `sessions_hot` before it may settle, so late
    /// events after a `session_end` usually find it still hot.
    static let settleAfterGenerations: Int64 = 2
    /// A version unchanged this long settles even while its session is active.
    static let settleIdleGenerations: Int64 = 360

    /// At most this many versions move from `sessions_hot` to `sessions_cold` in one write, so a
    /// burst of settled sessions moves over several writes instead of stalling one.
    static let settleBatch = 4_096

    /// Moves up to ``settleBatch`` open versions that settled (ended, timed out, or idle) from
    /// `sessions_hot` to `sessions_cold`, unchanged. Visibility does not change; each session moves about once.
    private func settleSessions(generation: Int64, watermark: Int64?, inactivityTimeoutMs: Int64) throws {
        var condition = "gen_to IS NULL AND gen_from <= \(generation - Self.settleAfterGenerations) AND "
            + "(end_status IS NOT NULL OR gen_from <= \(generation - Self.settleIdleGenerations)"
        if let watermark {
            condition += " OR last_activity_at < \(watermark - inactivityTimeoutMs)"
        }
        condition += ")"
        try database.execute("""
            CREATE TEMP TABLE IF NOT EXISTS settling(row INTEGER PRIMARY KEY);
            DELETE FROM settling;
            INSERT INTO settling SELECT rowid FROM sessions_hot WHERE \(condition) LIMIT \(Self.settleBatch);
            INSERT INTO sessions_cold SELECT * FROM sessions_hot WHERE rowid IN settling;
            DELETE FROM sessions_hot WHERE rowid IN settling;
            """)
    }

    /// Binds a session version to `insert`; `json` is a scratch buffer for its JSON texts.
    private func bindSession(
        _ row: SessionRow, state: [UInt8], generation: Int64, to insert: Statement, json: inout JSONBytes
    ) throws(SQLiteError) {
        try insert.bind(1, row.sessionID)
        try insert.bind(2, generation)
        try insert.bind(3, row.endStatus?.sessionStatus.rawValue)
        try insert.bind(4, row.endTimestamp)
        try insert.bind(5, row.startedAt)
        try insert.bind(6, row.lastActivityAt)
        try insert.bind(7, (row.endTimestamp ?? row.lastActivityAt) - row.startedAt)
        try insert.bind(8, row.conversationID)
        try insert.bind(9, row.userID)
        try insert.bind(10, row.orgID)
        try insert.bind(11, row.projectID)
        try insert.bind(12, row.personaID)
        try insert.bind(13, row.messages)
        try insert.bind(14, row.userMessages)
        try insert.bind(15, row.assistantMessages)
        try insert.bind(16, row.llmCalls)
        try insert.bind(17, row.llmErrors)
        try insert.bind(18, row.inputTokens)
        try insert.bind(19, row.outputTokens)
        var totalTokens = row.inputTokens ?? 0
        totalTokens.addSaturating(row.outputTokens ?? 0)  // saturated only when `total_tokens` is flagged
        try insert.bind(20, totalTokens)
        try insert.bind(21, row.costNanos)
        try insert.bind(22, row.unpricedLLMCalls)
        try insert.bind(23, row.toolCalls)
        try insert.bind(24, row.toolErrors)
        try insert.bind(25, row.toolTimeouts)
        try insert.bind(26, row.responseCount)
        try insert.bind(27, row.responseTotalMs)
        try insert.bind(28, row.maxResponseMs)
        try insert.bind(29, row.lastModel)
        try insert.bind(30, row.errorMessage)
        json.removeAll()
        Records.writeSessionModels(row.models, to: &json)
        try insert.bind(31, text: json.bytes)
        json.removeAll()
        Records.writeSessionTools(row.tools, to: &json)
        try insert.bind(32, text: json.bytes)
        try insert.bind(33, blob: state)
    }

    /// Writes the rollup, timeline and alert rows that differ from what the last snapshot wrote.
    private func writeViews(_ content: SnapshotContent, generation: Int64, into staged: inout WrittenViews) throws -> Int {
        var changed = 0
        let closeRollup = try database.prepare("UPDATE rollups SET gen_to = ?1 WHERE rowid = ?2")
        let insertRollup = try database.prepare("""
            INSERT INTO rollups(kind, key, gen_from, sessions, llm_calls, input_tokens, output_tokens, cost_nanos, tool_errors)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
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
                input_tokens, output_tokens, cost_nanos, tool_calls, tool_errors, llm_errors)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
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

    private func close(_ statement: Statement, rowID: Int64, generation: Int64) throws(SQLiteError) {
        try statement.bind(1, generation)
        try statement.bind(2, rowID)
        try statement.run()
    }

    /// Reads back the rollup, timeline and alert rows of the committed generation.
    private func loadWrittenViews() throws {
        var views = WrittenViews()
        let rollups = try database.prepare("""
            SELECT rowid, kind, key, sessions, llm_calls, input_tokens, output_tokens, cost_nanos, tool_errors
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
            views.rollups[WrittenViews.RollupID(kind: rollups.string(1), key: view.key)] = (view, rollups.int64(0))
        }
        let timeline = try database.prepare("""
            SELECT rowid, bucket_start, sessions_started, sessions_ended, messages, llm_calls, input_tokens,
                output_tokens, cost_nanos, tool_calls, tool_errors, llm_errors
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

    // MARK: - Generations

    private func setMeta(_ key: String, _ value: Int64) throws(SQLiteError) {
        let statement = try database.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)")
        try statement.bind(1, key)
        try statement.bind(2, value)
        try statement.run()
    }

    /// Inserts the `generations` row of the last committed snapshot (what the `current_*` views follow).
    private func recordGeneration() throws(SQLiteError) {
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
    private func rollBack() throws {
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
    private func prune() throws {
        let manifests = try Manifest.list(in: directory)
        guard manifests.count > keep else { return }
        let oldestKept = manifests[manifests.count - keep].generation
        for entry in manifests.prefix(manifests.count - keep) {
            try? Posix.remove(FileOperations.join(directory, entry.name))
        }
        for name in try io { try Posix.listDirectory(directory) } {
            if let generation = Manifest.generation(fromStateName: name), generation < oldestKept {
                try? Posix.remove(FileOperations.join(directory, name))
            }
        }
        try io { try FileOperations.syncDirectory(directory) }
        guard oldestKept > pruneFloor else { return }
        try database.transaction {
            for table in Schema.versionedTables {
                try database.execute("DELETE FROM \(table) WHERE gen_to <= \(oldestKept)")
            }
            try database.execute("DELETE FROM generations WHERE generation < \(oldestKept)")
            try setMeta(Schema.Meta.pruneFloor, oldestKept)
        }
        pruneFloor = oldestKept
    }
}
