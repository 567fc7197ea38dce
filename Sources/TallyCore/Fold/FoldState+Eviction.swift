/// Reads a session that left memory (``FoldState/evictSettledSessions(idleMs:)``) back from where
/// the last snapshot wrote it: its encoded state and packed frame list, as `takeChanges()` and
/// `takeFrameChanges()` gave them. Called on the folding thread, from inside `fold`.
public struct SessionReloader: @unchecked Sendable {
    /// The session's state and frame list (`nil`: none written); `nil` when the store does not hold the session.
    public typealias Load = (_ sessionID: String) throws -> (state: [UInt8], frames: [UInt8]?)?

    let load: Load

    /// `load` is only ever called on the thread that folds (hence `@unchecked Sendable`).
    public init(_ load: @escaping Load) {
        self.load = load
    }
}

/// A session out of memory: the ids of the first and last frame-index files its frame list names,
/// so that forgetting a file brings back only the sessions that may name it.
struct EvictedSession: Sendable {
    var firstFile: UInt32
    var lastFile: UInt32

    static let noFiles = EvictedSession(firstFile: .max, lastFile: 0)

    func mayName(_ files: Set<UInt32>) -> Bool {
        files.contains { $0 >= firstFile && $0 <= lastFile }
    }
}

/// Settled sessions out of memory: a session that has ended, has not changed since the snapshot
/// that wrote it, and was last active more than an idle time behind the watermark leaves the
/// session table. Its contributions stay in every total (they no longer change), and its id stays
/// in a small map. An event for it, its retention, or the retention of a segment its frames are in
/// brings it back first (``SessionReloader``), exactly as that snapshot wrote it: every view and
/// every later snapshot is the same as if it had never left.
extension FoldState {
    /// Evicts the sessions that are ended, unchanged since the last `takeChanges()` and
    /// `takeFrameChanges()` (so the store holds them as they are: call it only right after a
    /// snapshot committed), and last active more than `idleMs` behind the watermark. Needs a
    /// ``sessionReloader``. Returns how many left; the session table's storage shrinks to fit.
    @discardableResult
    public mutating func evictSettledSessions(idleMs: Int64) -> Int {
        guard sessionReloader != nil, !retentionSuspended, let watermark, dirtySessionIDs.isEmpty else { return 0 }
        var leaving: [(id: String, files: EvictedSession)] = []
        for session in sessions.states
        where !session.isDirty && !session.frames.isDirty && session.isEnded(watermark: watermark, settings: settings)
            && live.activeSessions[session.id] == nil && isMore(than: idleMs, from: session.lastTimestamp, to: watermark) {
            leaving.append((session.id, Self.files(of: session.frames)))
        }
        guard !leaving.isEmpty else { return 0 }
        for (sessionID, files) in leaving {
            _ = sessions.remove(sessionID)
            evicted[sessionID] = files
        }
        sessions.shrinkToFit()
        return leaving.count
    }

    /// The sessions in memory.
    public var residentSessionCount: Int { sessions.count }

    /// The sessions out of memory (see ``evictSettledSessions(idleMs:)``).
    public var evictedSessionCount: Int { evicted.count }

    /// Why a session could not be brought back, once (the fold folded on without it and is no
    /// longer exact: its owner must not write it). `nil` while every reload succeeded.
    public mutating func takeReloadFailure() -> String? {
        defer { reloadFailure = nil }
        return reloadFailure
    }

    /// Brings back the evicted session `sessionID`; returns its position, `nil` when it is not evicted.
    mutating func reloadEvicted(_ sessionID: String) -> Int? {
        guard let files = evicted.removeValue(forKey: sessionID) else { return nil }
        do {
            guard let stored = try sessionReloader?.load(sessionID) else {
                throw FoldDecodingError(code: .malformed, part: "session \(sessionID)", offset: 0, message: "not in the snapshot store")
            }
            var state = try SessionState.decode(stored.state)
            if let frames = stored.frames { state.frames = FrameList(bytes: frames) }
            // The contribution it was evicted with: ended and unchanged, it is what the snapshot's
            // watermark and today's give alike (a restore computes it the same way).
            state.contribution = state.contribution(watermark: statusWatermark, settings: settings)
            reloadedSessionCount += 1
            return sessions.insert(state)
        } catch {
            if reloadFailure == nil { reloadFailure = "cannot read session \(sessionID) back from the snapshot store: \(error)" }
            evicted[sessionID] = files
            return nil
        }
    }

    /// Brings back the evicted sessions whose frame lists may name one of `files` (being forgotten).
    mutating func reloadEvicted(naming files: Set<UInt32>) {
        guard !evicted.isEmpty else { return }
        for (sessionID, range) in evicted where range.mayName(files) { _ = reloadEvicted(sessionID) }
    }

    private static func files(of frames: FrameList) -> EvictedSession {
        guard let entries = try? FrameList.entries(frames.bytes).entries else { return EvictedSession(firstFile: 0, lastFile: .max) }
        var range = EvictedSession.noFiles
        for entry in entries {
            range.firstFile = min(range.firstFile, entry.ref.file)
            range.lastFile = max(range.lastFile, entry.ref.file)
        }
        return range
    }
}
