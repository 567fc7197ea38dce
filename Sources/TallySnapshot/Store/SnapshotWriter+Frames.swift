import TallyCore

/// Writes the frame index (see `Schema.frameTables`) with each generation, in its transaction.
/// `pendingFrames` holds the frame-index changes and the price table not yet in a complete write.
extension SnapshotWriter {
    /// Takes the fold's frame changes and price table into what the next write puts in.
    func stageFrames(of fold: inout FoldState) {
        pendingFrames.changes.add(fold.takeFrameChanges())
        pendingFrames.pricing = FramePricing.encode(fold.settings.pricing)
    }

    /// Writes the pending frame changes as versions of `generation`.
    func writeFrames(generation: Int64) throws {
        let changes = pendingFrames.changes
        let hasVersions = committedGeneration > 0
        if !changes.sessions.isEmpty || !changes.droppedSessionIDs.isEmpty {
            let close = try database.prepare("UPDATE session_frames SET gen_to = ?1 WHERE session_id = ?2 AND gen_to IS NULL")
            // Like the session tables' (see `writeSessions`): a large write into an empty table
            // builds its index by session once, after the inserts.
            let bulk = !hasVersions && changes.sessions.count >= bulkInsertThreshold
            if bulk { try database.execute("DROP INDEX IF EXISTS session_frames_by_id") }
            let insert = try database.prepare("INSERT INTO session_frames(session_id, gen_from, gen_to, frames) VALUES (?1, ?2, NULL, ?3)")
            for (sessionID, frames) in changes.sessions {
                if hasVersions {
                    try close.bind(1, generation)
                    try close.bind(2, sessionID)
                    try close.run()
                }
                guard !frames.isEmpty else { continue }
                try insert.bind(1, sessionID)
                try insert.bind(2, generation)
                try insert.bind(3, blob: frames)
                try insert.run()
            }
            if bulk { try database.execute(Schema.frameTables) }
            if hasVersions {
                for sessionID in changes.droppedSessionIDs {
                    try close.bind(1, generation)
                    try close.bind(2, sessionID)
                    try close.run()
                }
            }
        }
        if !changes.newFiles.isEmpty {
            let insert = try database.prepare("INSERT INTO frame_files(file_id, gen_from, gen_to, path) VALUES (?1, ?2, NULL, ?3)")
            for (id, path) in changes.newFiles {
                try insert.bind(1, Int64(id))
                try insert.bind(2, generation)
                try insert.bind(3, path)
                try insert.run()
            }
        }
        if !changes.goneFiles.isEmpty {
            let close = try database.prepare("UPDATE frame_files SET gen_to = ?1 WHERE file_id = ?2 AND gen_to IS NULL")
            for id in changes.goneFiles {
                try close.bind(1, generation)
                try close.bind(2, Int64(id))
                try close.run()
            }
        }
        if let pricing = pendingFrames.pricing {
            let current = try database.prepare("SELECT pricing FROM frame_pricing WHERE gen_to IS NULL")
            let written = try current.step() ? current.blob(0) : nil
            current.reset()
            if written != pricing {
                try database.execute("UPDATE frame_pricing SET gen_to = \(generation) WHERE gen_to IS NULL")
                let insert = try database.prepare("INSERT INTO frame_pricing(gen_from, gen_to, pricing) VALUES (?1, NULL, ?2)")
                try insert.bind(1, generation)
                try insert.bind(2, blob: pricing)
                try insert.run()
            }
        }
    }

    /// After a complete write: nothing of the frame index is pending.
    func framesWritten() {
        pendingFrames = (FrameChanges(), nil)
    }
}

extension RestoredSnapshot {
    /// Gives `fold` (rebuilt from this snapshot) the frame index the snapshot recorded.
    func restoreFrames(into fold: inout FoldState) throws {
        let files = try database.prepare("SELECT f.file_id, f.path FROM frame_files f WHERE \(Schema.visibleAt("f"))")
        try files.bind(1, generation)
        var table: [(id: UInt32, path: String)] = []
        while try files.step() { table.append((UInt32(truncatingIfNeeded: files.int64(0)), files.string(1))) }
        let lists = try database.prepare("SELECT s.session_id, s.frames FROM session_frames s WHERE \(Schema.visibleAt("s"))")
        try lists.bind(1, generation)
        var rows: [(String, [UInt8])] = []
        while try lists.step() { rows.append((lists.string(0), lists.blob(1))) }
        fold.restoreFrameIndex(files: table, sessions: rows)
    }
}
