/// The fold's index of where each session's events are (see ``FrameList``): the files frames are
/// in, the frame being folded, and what changed since the snapshot writer last took the changes.
///
/// Files get ids in the order they are first named; a replay names every input up front, in the
/// same order in every shard, so the shards' ids agree. Not persisted with the fold's globals: the
/// snapshot writes it in tables of its own and gives it back with ``FoldState/restoreFrameIndex(files:sessions:)``.
struct FrameIndex: Sendable {
    /// File id → path (`nil`: forgotten, its segment deleted).
    var paths: [String?] = []
    var ids: [String: UInt32] = [:]
    /// The frame whose events are being folded; `nil`: events are not located (tests, `merge`).
    var current: FrameRef?
    /// Sessions whose list changed since the last `takeFrameChanges()` (may hold an id twice).
    var dirtySessionIDs: [String] = []
    /// Sessions retired since the last `takeFrameChanges()`.
    var droppedSessionIDs: Set<String> = []
    var unwrittenFiles: [UInt32] = []
    var goneFiles: [UInt32] = []

    mutating func id(for path: String) -> UInt32 {
        if let id = ids[path] { return id }
        let id = UInt32(paths.count)
        paths.append(path)
        ids[path] = id
        unwrittenFiles.append(id)
        return id
    }
}

/// What changed in the frame index since the last ``FoldState/takeFrameChanges()``.
public struct FrameChanges: Sendable {
    /// Sessions whose list changed: the whole packed list of each (``FrameList``).
    public var sessions: [(sessionID: String, frames: [UInt8])] = []
    /// Sessions no longer in the fold: their lists go.
    public var droppedSessionIDs: [String] = []
    /// Files named since: id and path.
    public var newFiles: [(id: UInt32, path: String)] = []
    /// Files forgotten since (their segments were deleted).
    public var goneFiles: [UInt32] = []

    public init() {}

    public var isEmpty: Bool {
        sessions.isEmpty && droppedSessionIDs.isEmpty && newFiles.isEmpty && goneFiles.isEmpty
    }

    /// `later` on top of these changes (later changes win where both name a session or file).
    public mutating func add(_ later: FrameChanges) {
        let laterSessions = Set(later.sessions.map(\.sessionID)).union(later.droppedSessionIDs)
        sessions.removeAll { laterSessions.contains($0.sessionID) }
        droppedSessionIDs.removeAll { laterSessions.contains($0) }
        sessions += later.sessions
        droppedSessionIDs += later.droppedSessionIDs
        let gone = Set(later.goneFiles)
        newFiles.removeAll { gone.contains($0.id) }
        newFiles += later.newFiles
        goneFiles += later.goneFiles
    }
}
