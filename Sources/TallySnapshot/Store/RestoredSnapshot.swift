import TallyCore

/// The newest complete snapshot of a directory, as ``SnapshotWriter/open(directory:keep:)``
/// found it: what the consumer needs to resume, read back as the typed values it was written with.
///
/// ```swift
/// let (writer, restored) = try SnapshotWriter.open(directory: dir, keep: 5)
/// if let restored, restored.settings == settings.canonicalValue() {
///     fold = try restored.rebuildFold(settings: settings.fold)
///     positions = restored.positions
/// }
/// ```
public struct RestoredSnapshot {
    public let generation: Int64
    /// Wall-clock time of the snapshot, epoch ms.
    public let snapshotAt: Int64
    public let watermark: Int64?
    /// The positions recorded with the snapshot; `nil` when it recorded none (or in a form
    /// ``SnapshotPositions`` does not know).
    package let positions: SnapshotPositions?
    /// The settings recorded with the snapshot.
    package let settings: JSONValue
    /// The health recorded with the snapshot (an object).
    package let health: JSONValue
    public let deadLetterDirectory: String?
    /// The identity of the spool the snapshot folded; `nil` when it recorded none (an older build, replay).
    package let spoolIdentity: String?
    let globals: [UInt8]
    let database: Database

    init(manifest: Manifest, globals: [UInt8], database: Database) {
        generation = manifest.generation
        snapshotAt = manifest.snapshotAt
        watermark = manifest.watermark
        positions = SnapshotPositions(json: manifest.positions)
        settings = manifest.settings
        health = manifest.health
        deadLetterDirectory = manifest.deadLetter
        spoolIdentity = manifest.spoolID
        self.globals = globals
        self.database = database
    }

    /// Rebuilds the fold: the snapshot's globals plus the state of every session it retains,
    /// streamed from `sessions.db` one row at a time. Call before the writer's next write.
    public func rebuildFold(settings: FoldSettings) throws -> FoldState {
        let statement = try database.prepare("""
            SELECT state FROM sessions WHERE gen_from <= ?1 AND (gen_to IS NULL OR gen_to > ?1)
            """)
        try statement.bind(1, generation)
        let states = SessionStates(statement: statement)
        var fold = try FoldState(settings: settings, globals: globals, sessions: states)
        if let failure = states.failure.error { throw failure }
        try restoreFrames(into: &fold)
        return fold
    }
}

/// The `state` blobs of a query, read lazily; a failing step ends the sequence and is kept in `failure`.
struct SessionStates: Sequence {
    final class Failure {
        var error: SQLiteError?
    }

    let statement: Statement
    let failure = Failure()

    struct Iterator: IteratorProtocol {
        let statement: Statement
        let failure: Failure

        mutating func next() -> [UInt8]? {
            guard failure.error == nil else { return nil }
            do {
                return try statement.step() ? statement.blob(0) : nil
            } catch {
                failure.error = error
                return nil
            }
        }
    }

    func makeIterator() -> Iterator { Iterator(statement: statement, failure: failure) }
}
