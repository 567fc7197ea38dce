import TallyCore

extension SnapshotWriter {
    /// A session as the newest committed generation holds it: its encoded state and packed frame
    /// list (`nil`: no list), `nil` when that generation does not hold the session. What a fold's
    /// ``TallyCore/SessionReloader`` reads an evicted session back from; on the folding thread,
    /// between writes (never while one runs).
    public func storedSession(_ sessionID: String) throws -> (state: [UInt8], frames: [UInt8]?)? {
        let generation = committedGeneration
        let states = try reloadStatements.states(in: database)
        defer { states.reset() }
        try states.bind(1, sessionID)
        try states.bind(2, generation)
        guard try states.step() else { return nil }
        let state = states.blob(0)
        let frames = try reloadStatements.frames(in: database)
        defer { frames.reset() }
        try frames.bind(1, sessionID)
        try frames.bind(2, generation)
        return (state, try frames.step() ? frames.blob(0) : nil)
    }

    /// A reloader for a fold whose snapshots this writer writes.
    public var sessionReloader: SessionReloader {
        SessionReloader { [unowned self] sessionID in try self.storedSession(sessionID) }
    }
}

/// The statements that read one session back, prepared on first use.
final class ReloadStatements {
    private var statesStatement: Statement?
    private var framesStatement: Statement?

    func states(in database: Database) throws -> Statement {
        if let statesStatement { return statesStatement }
        let visible = Schema.visibleAt("s", "?2")
        let statement = try database.prepare("""
            SELECT s.state FROM sessions_hot s WHERE s.session_id = ?1 AND \(visible)
            UNION ALL SELECT s.state FROM sessions_cold s WHERE s.session_id = ?1 AND \(visible)
            """)
        statesStatement = statement
        return statement
    }

    func frames(in database: Database) throws -> Statement {
        if let framesStatement { return framesStatement }
        let statement = try database.prepare(
            "SELECT s.frames FROM session_frames s WHERE s.session_id = ?1 AND \(Schema.visibleAt("s", "?2"))")
        framesStatement = statement
        return statement
    }
}
