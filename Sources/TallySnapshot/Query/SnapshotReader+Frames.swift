import TallyCore

/// The frame index as a snapshot recorded it (see `Schema.frameTables`), for the readers of a
/// session's events (TallyEvents). Every answer is of this reader's generation.
extension SnapshotReader {
    /// A frame of the index with the path of its file (`nil`: the file was forgotten) and how many
    /// of the session's folded events it holds.
    package struct IndexedFrame: Sendable, Hashable {
        package var ref: FrameRef
        package var path: String?
        package var events: UInt64
    }

    /// Whether the snapshot holds a session with this id.
    package func hasSession(_ sessionID: String) throws -> Bool {
        let statement = try database.prepare("SELECT 1 FROM sessions s WHERE s.session_id = ?2 AND \(Schema.visibleAt("s")) LIMIT 1")
        try statement.bind(1, generation)
        try statement.bind(2, sessionID)
        return try statement.step()
    }

    /// The frames that hold the session's events, sorted by file id (the order files were first
    /// folded) and offset, each once, and the events of frames retention forgot; `nil` when the
    /// snapshot holds no such session.
    package func frames(ofSession sessionID: String) throws -> (frames: [IndexedFrame], forgotten: UInt64)? {
        guard try hasSession(sessionID) else { return nil }
        let statement = try database.prepare("SELECT s.frames FROM session_frames s WHERE s.session_id = ?2 AND \(Schema.visibleAt("s"))")
        try statement.bind(1, generation)
        try statement.bind(2, sessionID)
        var frames: [(ref: FrameRef, events: UInt64)] = []
        var forgotten: UInt64 = 0
        while try statement.step() {
            let decoded = try FrameList.decode(statement.blob(0))
            frames += decoded.frames
            forgotten += decoded.forgotten
        }
        frames.sort { $0.ref < $1.ref }
        let files = try frameFiles()
        return (frames.map { IndexedFrame(ref: $0.ref, path: files[$0.ref.file], events: $0.events) }, forgotten)
    }

    /// The files of the frame index: id → path.
    package func frameFiles() throws -> [UInt32: String] {
        let statement = try database.prepare("SELECT f.file_id, f.path FROM frame_files f WHERE \(Schema.visibleAt("f"))")
        try statement.bind(1, generation)
        var files: [UInt32: String] = [:]
        while try statement.step() { files[UInt32(truncatingIfNeeded: statement.int64(0))] = statement.string(1) }
        return files
    }

    /// The price table the fold used (empty when the snapshot recorded none).
    package func framePricing() throws -> [String: [ModelPrice]] {
        let statement = try database.prepare("SELECT p.pricing FROM frame_pricing p WHERE \(Schema.visibleAt("p")) LIMIT 1")
        try statement.bind(1, generation)
        guard try statement.step() else { return [:] }
        return try FramePricing.decode(statement.blob(0))
    }

    /// The ids of the sessions whose `user_id` is `userID`, sorted.
    package func sessionIDs(ofUser userID: String) throws -> [String] {
        let statement = try database.prepare("SELECT s.session_id FROM sessions s WHERE s.user_id = ?2 AND \(Schema.visibleAt("s"))")
        try statement.bind(1, generation)
        try statement.bind(2, userID)
        var ids: [String] = []
        while try statement.step() { ids.append(statement.string(0)) }
        return ids.sorted()
    }

    /// The fold settings the snapshot recorded that decide which events were folded: the dedup
    /// window and the longest line (defaults when the snapshot recorded none).
    package var foldLimits: (dedupWindowMs: Int64, maxLineBytes: Int) {
        let settings = manifest.settings
        let window = settings["sessions"]?["dedup_window_ms"]?.int64Value ?? FoldSettings().dedupWindowMs
        let maxLine = settings["limits"]?["max_line_bytes"]?.int64Value.map { Int($0) } ?? FoldSettings().maxLineBytes
        return (window, maxLine)
    }

    /// The directory of the snapshot read.
    package var snapshotDirectory: String { directory }
}
