internal import TallyPosix
import TallyCore

/// Reads one complete snapshot and answers queries over it.
///
/// ```swift
/// let reader = try SnapshotReader(path: "/var/tally/snapshots")   // newest complete snapshot
/// try reader.run(SnapshotQuery(.sessions, sort: .cost), format: .csv) { print($0, terminator: "") }
/// ```
///
/// `path` is a snapshot directory or one `snapshot-<generation>.json` in it. The reader holds an
/// SQLite read transaction, so a writer working in the same directory never changes what it sees.
public final class SnapshotReader {
    public let generation: Int64
    public let manifestPath: String
    let directory: String
    let manifest: Manifest
    let database: Database

    public init(path: String) throws {
        var attempts = 0
        while true {
            let (manifest, manifestPath, directory) = try Self.resolve(path)
            let databasePath = SnapshotDirectory(directory).databasePath
            guard FileOperations.exists(databasePath) else {
                throw SessionsDatabase.lost(databasePath, what: "is missing", manifest: manifestPath, code: .noUsableSnapshot)
            }
            let (database, sqlGeneration, pruneFloor) = try Self.openDatabase(databasePath, manifestPath: manifestPath)
            if sqlGeneration >= manifest.generation && pruneFloor <= manifest.generation {
                self.generation = manifest.generation
                self.manifestPath = manifestPath
                self.directory = directory
                self.manifest = manifest
                self.database = database
                return
            }
            attempts += 1
            if !FileOperations.isDirectory(path) || attempts == 3 {
                throw SnapshotError(
                    code: .noUsableSnapshot,
                    message: "no usable snapshot in \(path): generation \(manifest.generation) is no longer in \(databasePath)",
                    path: path)
            }
        }
    }

    /// The database in a read transaction, with the generations it holds; damage is `.noUsableSnapshot`
    /// with what to do.
    private static func openDatabase(
        _ path: String, manifestPath: String
    ) throws -> (database: Database, sqlGeneration: Int64, pruneFloor: Int64) {
        // SQLite would wait on a FIFO and fail on a directory: neither is a database Tally wrote.
        guard let status = try io({ try Posix.lstat(path) }), status.isRegular else {
            throw SessionsDatabase.lost(path, what: "is not a regular file", manifest: manifestPath, code: .noUsableSnapshot)
        }
        do {
            let database = try Database(path: path, mode: .readOnly)
            try database.execute("BEGIN")
            let sqlGeneration = try database.scalar("SELECT value FROM meta WHERE key = '\(Schema.Meta.sqlGeneration)'") ?? 0
            let pruneFloor = try database.scalar("SELECT value FROM meta WHERE key = '\(Schema.Meta.pruneFloor)'") ?? 0
            return (database, sqlGeneration, pruneFloor)
        } catch {
            // Damaged pages, another file, an empty one (no `meta` table): unusable, and the line says what to do.
            throw SessionsDatabase.lost(path, what: "is damaged (\(error.message))", manifest: manifestPath, code: .noUsableSnapshot)
        }
    }

    /// The manifest to read: the newest one that parses in a directory, or the file given.
    private static func resolve(_ path: String) throws -> (Manifest, String, String) {
        if FileOperations.isDirectory(path) {
            let directory = SnapshotDirectory(path)
            for entry in try directory.manifests().reversed() {
                let manifestPath = directory.file(entry.name)
                switch Result(catching: { () throws(SnapshotError) in try Manifest.read(path: manifestPath) }) {
                case .success(let manifest): return (manifest, manifestPath, path)
                case .failure(let error) where error.code == .corrupt: continue   // damaged: the next older
                case .failure(let error): throw error
                }
            }
            throw SnapshotError(code: .noUsableSnapshot, message: "no usable snapshot in \(path)", path: path)
        }
        guard FileOperations.exists(path) else {
            throw SnapshotError(code: .noUsableSnapshot, message: "no usable snapshot in \(path): no such file or directory", path: path)
        }
        do {
            let manifest = try Manifest.read(path: path)
            let slash = path.lastIndex(of: "/")
            let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
            return (manifest, path, directory)
        } catch {
            throw SnapshotError(code: .noUsableSnapshot, message: "no usable snapshot in \(path): \(error)", path: path)
        }
    }

    /// Prints the answer to `query` in `format`, in pieces, through `sink`. A query that does not
    /// validate is a `.badQuery` error; an unknown session id a `.sessionNotFound` one.
    public func run(_ query: SnapshotQuery, format: OutputFormat, sink: @escaping (String) throws -> Void) throws {
        try query.validate()
        let overflowed = Records.overflowedTotals(in: manifest.summary, shownBy: query)
        guard overflowed.isEmpty else {
            throw SnapshotError(
                code: .totalOverflow,
                message: "snapshot \(manifestPath): the \(overflowed.count == 1 ? "total" : "totals") "
                    + "\(overflowed.joined(separator: ", ")) passed 9,223,372,036,854,775,806 and cannot be shown "
                    + "exactly (flagged, never wrapped)",
                path: manifestPath)
        }
        switch query.subject {
        case .summary:
            try writeSingle(summaryWithHealth, format: format, sink: sink)
        case .session(let id):
            try session(id, format: format, sink: sink)
        case .sessions:
            try sessions(query, format: format, sink: sink)
        case .tools:
            try manifestList(manifest.tools, fields: Records.toolFields, columns: Self.toolColumns, query: query, format: format, sink: sink)
        case .models:
            try manifestList(manifest.models, fields: Records.modelFields, columns: Self.modelColumns, query: query, format: format, sink: sink)
        case .rollups(let key):
            try rollups(key, query: query, format: format, sink: sink)
        case .timeline:
            try timeline(query, format: format, sink: sink)
        case .alerts:
            try alerts(query, format: format, sink: sink)
        case .invalid:
            try invalid(query, format: format, sink: sink)
        case .errors:
            try errors(query, format: format, sink: sink)
        }
    }

    /// The answer as one string (for tests and small outputs).
    public func output(_ query: SnapshotQuery, format: OutputFormat) throws -> String {
        var text = ""
        try run(query, format: format) { text += $0 }
        return text
    }

    // MARK: - Subjects

    var visible: String { "gen_from <= ?1 AND (gen_to IS NULL OR gen_to > ?1)" }

    enum Binding {
        case int(Int64)
        case text(String)
    }

    /// Prepares `sql` with `?1` = the generation and `?2…` = `bindings`.
    func prepare(_ sql: String, _ bindings: [Binding]) throws -> Statement {
        let statement = try database.prepare(sql)
        try statement.bind(1, generation)
        for (offset, binding) in bindings.enumerated() {
            switch binding {
            case .int(let value): try statement.bind(Int32(offset + 2), value)
            case .text(let value): try statement.bind(Int32(offset + 2), value)
            }
        }
        return statement
    }

    private func session(_ id: String, format: OutputFormat, sink: (String) throws -> Void) throws {
        let statement = try prepare("SELECT \(sessionSelectSQL) FROM sessions WHERE session_id = ?2 AND \(visible)", [.text(id)])
        guard try statement.step() else {
            throw SnapshotError(code: .sessionNotFound, message: "no session \(id) in snapshot \(directory)", path: directory)
        }
        let row = SessionColumns.row(statement)
        let values = Records.session(row, watermark: manifest.watermark, inactivityTimeoutMs: manifest.inactivityTimeoutMs)
        let fields = zip(Records.sessionFields, values).map { ($0, $1) }
            + [("models", JSONValue.raw(statement.string(SessionColumns.selectedIndex("models_json")))), ("tools", JSONValue.raw(statement.string(SessionColumns.selectedIndex("tools_json"))))]
        try writeSingle(.object(fields), format: format, sink: sink)
    }

    private func sessions(_ query: SnapshotQuery, format: OutputFormat, sink: @escaping (String) throws -> Void) throws {
        var conditions = [visible]
        var bindings: [Binding] = []
        func parameter(_ binding: Binding) -> String {
            bindings.append(binding)
            return "?\(bindings.count + 1)"
        }
        if let status = query.status {
            let cutoff = manifest.watermark.map { $0 - manifest.inactivityTimeoutMs } ?? Int64.min
            switch status {
            case .active:
                conditions.append("end_status IS NULL AND last_activity_at >= \(parameter(.int(cutoff)))")
            case .timeout:
                conditions.append(
                    "(end_status = '\(status.rawValue)' OR (end_status IS NULL AND last_activity_at < \(parameter(.int(cutoff)))))")
            case .completed, .failed, .cancelled:
                conditions.append("end_status = \(parameter(.text(status.rawValue)))")
            }
        }
        if let user = query.userID { conditions.append("user_id = \(parameter(.text(user)))") }
        if let org = query.orgID { conditions.append("org_id = \(parameter(.text(org)))") }
        if let project = query.projectID { conditions.append("project_id = \(parameter(.text(project)))") }
        if let since = query.since { conditions.append("started_at >= \(parameter(.int(since)))") }
        if let until = query.until { conditions.append("started_at < \(parameter(.int(until)))") }
        let order = switch query.order {
        case .cost: "cost_nanos DESC"
        case .tokens: "total_tokens DESC"
        case .duration: "duration_ms DESC"
        case .started: "started_at DESC"
        case .lastActivity: "last_activity_at DESC"
        }
        // One ordered index scan per table, merged by SQLite; LIMIT stops both early.
        let arms = Schema.sessionTableNames.map { table in
            "SELECT \(sessionSelectSQL) FROM \(table) WHERE \(conditions.joined(separator: " AND "))"
        }
        let sql = """
            \(arms.joined(separator: " UNION ALL "))
            ORDER BY \(order), session_id LIMIT \(parameter(.int(query.sqlLimit))) OFFSET \(parameter(.int(Int64(query.skipped))))
            """
        let statement = try prepare(sql, bindings)
        var output = try ListOutput(format: format, fields: Records.sessionFields, columns: Self.sessionColumns, sink: sink)
        while try statement.step() {
            let row = SessionColumns.row(statement)
            try output.add(Records.session(row, watermark: manifest.watermark, inactivityTimeoutMs: manifest.inactivityTimeoutMs))
        }
        try output.finish()
    }

    private func manifestList(
        _ list: JSONValue, fields: [String], columns: [TableColumn], query: SnapshotQuery, format: OutputFormat,
        sink: @escaping (String) throws -> Void
    ) throws {
        guard case .array(let items) = list else { return }
        var output = try ListOutput(format: format, fields: fields, columns: columns, sink: sink)
        for item in paged(items, query) { try output.add(object: item) }
        try output.finish()
    }

    func paged<T>(_ items: [T], _ query: SnapshotQuery) -> ArraySlice<T> {
        let start = min(query.skipped, items.count)
        let end = query.sqlLimit < 0 ? items.count : min(items.count, start + Int(query.sqlLimit))
        return items[start..<end]
    }

    private func alerts(_ query: SnapshotQuery, format: OutputFormat, sink: @escaping (String) throws -> Void) throws {
        var conditions = [visible]
        var bindings: [Binding] = []
        func parameter(_ binding: Binding) -> String {
            bindings.append(binding)
            return "?\(bindings.count + 1)"
        }
        if let kind = query.alertKind { conditions.append("kind = \(parameter(.text(kind.rawValue)))") }
        if let user = query.userID { conditions.append("user_id = \(parameter(.text(user)))") }
        if let since = query.since { conditions.append("ts >= \(parameter(.int(since)))") }
        if let until = query.until { conditions.append("ts < \(parameter(.int(until)))") }
        let statement = try prepare("""
            SELECT kind, session_id, user_id, ts, value, threshold, detail FROM alerts
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY ts DESC, kind, session_id, user_id, detail
            LIMIT \(parameter(.int(query.sqlLimit))) OFFSET \(parameter(.int(Int64(query.skipped))))
            """, bindings)
        var output = try ListOutput(format: format, fields: Records.alertFields, columns: Self.alertColumns, sink: sink)
        while try statement.step() {
            try output.add([
                .string(statement.string(0)), .text(statement.optionalString(1)), .text(statement.optionalString(2)),
                .time(statement.int64(3)), .double(statement.double(4)), .double(statement.double(5)),
                .string(statement.string(6)),
            ])
        }
        try output.finish()
    }

    /// The manifest's summary, followed by the writer's `health` object (consumer lag, events/s,
    /// torn tails and damaged frames seen) when it has one.
    var summaryWithHealth: JSONValue {
        guard case .object(var fields) = manifest.summary, case .object(let health) = manifest.health, !health.isEmpty else {
            return manifest.summary
        }
        fields.append(JSONValue.Field(key: "health", value: manifest.health))
        return .object(fields)
    }

    /// The dead-letter directory recorded in the manifest, relative paths against the snapshot directory.
    var deadLetterDirectory: String? {
        guard let path = manifest.deadLetter, !path.isEmpty else { return nil }
        return path.hasPrefix("/") ? path : FileOperations.join(directory, path)
    }

    /// Every line of this snapshot's dead-letter files, files in name order: those named after
    /// its directory's identity (`dead_letter_id`) up to its generation, and legacy-named ones
    /// up to `dead_letter_legacy_through` (a manifest of an older build: up to its generation).
    /// No other file is read, whatever `dead_letter` names, and a symlink is never followed.
    /// Lines that are not dead-letter records (``DeadLetterRecord``) are skipped.
    private func invalid(_ query: SnapshotQuery, format: OutputFormat, sink: @escaping (String) throws -> Void) throws {
        var output = try ListOutput(format: format, fields: DeadLetterRecord.listedKeys, columns: Self.invalidColumns, sink: sink)
        if let deadLetter = deadLetterDirectory, FileOperations.isDirectory(deadLetter) {
            try addDeadLetters(from: deadLetter, query, to: &output)
        }
        try output.finish()
    }

    /// The dead letters of `invalid`, read from the directory `deadLetter`.
    private func addDeadLetters(from deadLetter: String, _ query: SnapshotQuery, to output: inout ListOutput) throws {
        var skip = query.skipped
        var remaining = query.sqlLimit < 0 ? Int.max : Int(query.sqlLimit)
        let files = SnapshotDirectory.DeadLetters(directory: deadLetter, identity: manifest.deadLetterID ?? "")
        let legacyThrough = manifest.deadLetterID == nil ? manifest.generation : manifest.deadLetterLegacyThrough
        for name in try files.names(through: manifest.generation, legacyThrough: legacyThrough) {
            guard remaining > 0 else { return }
            try io {
                try FileOperations.forEachLine(FileOperations.join(deadLetter, name)) { line in
                    guard !line.isEmpty, let record = DeadLetterRecord(parsing: Array(line)) else { return true }
                    if let reason = query.invalidReason, record.reason != reason.rawValue { return true }
                    if let field = query.invalidField, record.field != field { return true }
                    if skip > 0 {
                        skip -= 1
                        return true
                    }
                    try output.add(record.listedValues)
                    remaining -= 1
                    return remaining > 0
                }
            }
        }
    }
}
