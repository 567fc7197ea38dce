/// The frame index (``FrameList``, ``FrameChanges``): which frames hold each session's events.
extension FoldState {
    /// Folds the events that follow in `frame` of the file at `path` (a segment or replay input).
    public mutating func setCurrentFrame(path: String, offset: Int64) {
        frameIndex.current = FrameRef(file: frameIndex.id(for: path), offset: offset)
    }

    /// The id of `path` in the frame index, naming it when new (a replay names its inputs up front).
    @discardableResult
    public mutating func frameFileID(for path: String) -> UInt32 {
        frameIndex.id(for: path)
    }

    /// Events folded from now on are not located in any frame.
    public mutating func clearCurrentFrame() {
        frameIndex.current = nil
    }

    /// The paths of the files of the frame index.
    public var frameFilePaths: [String] { frameIndex.paths.compactMap { $0 } }

    /// The path of a file of the frame index.
    public func frameFilePath(_ id: UInt32) -> String? {
        Int(id) < frameIndex.paths.count ? frameIndex.paths[Int(id)] : nil
    }

    /// The packed frame list of a session (``FrameList``); `nil` for a session not in the fold.
    package func frameList(of sessionID: String) -> [UInt8]? {
        sessions[sessionID]?.frames.bytes
    }

    /// Notes the current frame for the session at `index` (called by `fold(at:)`).
    @inline(__always)
    mutating func noteFrame(session index: Int) {
        guard let frame = frameIndex.current else { return }
        // One in-place access: reading `frames.isDirty` through the array on its own copied the
        // whole session state (retains and releases) for every event.
        if sessions.states[index].frames.noteMarkingDirty(frame) {
            frameIndex.dirtySessionIDs.append(sessions.states[index].id)
        }
    }

    /// `fold(_:parts:part:)`, locating each event in the frame of `marks` it falls in.
    public mutating func fold(
        _ events: UnsafeBufferPointer<Event>, parts: UnsafeBufferPointer<UInt8>?, part: UInt8, marks: [FrameMark]
    ) {
        guard !marks.isEmpty, let base = events.baseAddress else {
            fold(events, parts: parts, part: part)
            return
        }
        if let first = marks.first, first.firstEvent > 0 {
            frameIndex.current = nil
            foldRange(base, parts, part, 0, min(first.firstEvent, events.count))
        }
        for (position, mark) in marks.enumerated() where mark.firstEvent < events.count {
            let end = position + 1 < marks.count ? min(marks[position + 1].firstEvent, events.count) : events.count
            guard end > mark.firstEvent else { continue }
            frameIndex.current = mark.frame
            foldRange(base, parts, part, mark.firstEvent, end)
        }
        frameIndex.current = nil
    }

    private mutating func foldRange(
        _ base: UnsafePointer<Event>, _ parts: UnsafeBufferPointer<UInt8>?, _ part: UInt8, _ from: Int, _ to: Int
    ) {
        guard to > from else { return }
        let slice = UnsafeBufferPointer(start: base + from, count: to - from)
        let partSlice = parts.map { UnsafeBufferPointer(rebasing: $0[from..<to]) }
        fold(slice, parts: partSlice, part: part)
    }

    /// The sessions whose frame lists changed, the sessions gone and the files named or forgotten
    /// since the last call; the snapshot writer takes them with each snapshot.
    public mutating func takeFrameChanges() -> FrameChanges {
        var changes = FrameChanges()
        var seen = Set<String>()
        for sessionID in frameIndex.dirtySessionIDs where seen.insert(sessionID).inserted {
            guard let index = sessions.position(of: sessionID), sessions.states[index].frames.isDirty else { continue }
            sessions.states[index].frames.isDirty = false
            changes.sessions.append((sessionID, sessions.states[index].frames.bytes))
        }
        for sessionID in frameIndex.droppedSessionIDs.sorted() where !seen.contains(sessionID) {
            if let frames = sessions[sessionID]?.frames.bytes {
                changes.sessions.append((sessionID, frames))   // retired, then started again
            } else {
                changes.droppedSessionIDs.append(sessionID)
            }
        }
        frameIndex.dirtySessionIDs.removeAll(keepingCapacity: true)
        frameIndex.droppedSessionIDs.removeAll()
        changes.newFiles = frameIndex.unwrittenFiles.compactMap { id in frameIndex.paths[Int(id)].map { (id, $0) } }
        changes.goneFiles = frameIndex.goneFiles
        frameIndex.unwrittenFiles.removeAll()
        frameIndex.goneFiles.removeAll()
        return changes
    }

    /// Every session's frame list and every file, as changes (for a first write or a replay).
    public mutating func markAllFramesChanged() {
        for index in sessions.states.indices where !sessions.states[index].frames.isDirty {
            sessions.states[index].frames.isDirty = true
            frameIndex.dirtySessionIDs.append(sessions.states[index].id)
        }
    }

    /// Forgets the files at `paths` (deleted segments): their frames leave every session's list,
    /// and the sessions that had any are rewritten with the next snapshot. Returns how many
    /// sessions changed.
    @discardableResult
    public mutating func forgetFrameFiles(_ paths: [String]) -> Int {
        var gone = Set<UInt32>()
        for path in paths {
            guard let id = frameIndex.ids.removeValue(forKey: path) else { continue }
            frameIndex.paths[Int(id)] = nil
            gone.insert(id)
            frameIndex.goneFiles.append(id)
        }
        frameIndex.unwrittenFiles.removeAll { gone.contains($0) }
        guard !gone.isEmpty else { return 0 }
        reloadEvicted(naming: gone)   // their lists change as the others' do
        var changed = 0
        for index in sessions.states.indices where sessions.states[index].frames.remove(files: gone) {
            changed += 1
            if !sessions.states[index].frames.isDirty {
                sessions.states[index].frames.isDirty = true
                frameIndex.dirtySessionIDs.append(sessions.states[index].id)
            }
        }
        return changed
    }

    /// Gives a rebuilt fold its frame index back, as a snapshot recorded it: the files (id, path)
    /// and each session's packed list. Lists of sessions not in the fold are ignored.
    public mutating func restoreFrameIndex(files: [(id: UInt32, path: String)], sessions lists: some Sequence<(String, [UInt8])>) {
        frameIndex = FrameIndex()
        for (id, path) in files.sorted(by: { $0.id < $1.id }) {
            while frameIndex.paths.count < Int(id) { frameIndex.paths.append(nil) }
            frameIndex.paths.append(path)
            frameIndex.ids[path] = id
        }
        for (sessionID, bytes) in lists {
            guard let index = sessions.position(of: sessionID) else { continue }
            sessions.states[index].frames = FrameList(bytes: bytes)
        }
    }

    /// Takes `other`'s files into this index; returns how `other`'s ids map to this one's (`nil`: the same).
    mutating func absorbFrameFiles(of other: FrameIndex) -> [UInt32: UInt32]? {
        var map: [UInt32: UInt32] = [:]
        var identical = true
        for (id, path) in other.paths.enumerated() {
            guard let path else { continue }
            let mine = frameIndex.id(for: path)
            map[UInt32(id)] = mine
            if mine != UInt32(id) { identical = false }
        }
        for id in other.goneFiles where frameIndex.paths.indices.contains(Int(id)) && frameIndex.paths[Int(id)] == nil {
            if !frameIndex.goneFiles.contains(id) { frameIndex.goneFiles.append(id) }
        }
        return identical ? nil : map
    }

    /// Merges the frame list of `other` (a session of a merged part) into the session at `index`.
    mutating func mergeFrames(_ other: FrameList, into index: Int, fileMap: [UInt32: UInt32]?) {
        if other.isEmpty { return }
        sessions.states[index].frames.add(other, fileMap: fileMap)
        if !sessions.states[index].frames.isDirty {
            sessions.states[index].frames.isDirty = true
            frameIndex.dirtySessionIDs.append(sessions.states[index].id)
        }
    }
}

extension FoldState {
    /// A session just inserted from a merged part: its list in this index's file ids, and marked changed.
    mutating func adoptFrames(at index: Int, fileMap: [UInt32: UInt32]?) {
        let frames = sessions.states[index].frames
        if let fileMap {
            sessions.states[index].frames = FrameList()
            sessions.states[index].frames.add(frames, fileMap: fileMap)
        }
        sessions.states[index].frames.isDirty = false
        guard !frames.isEmpty || frames.isDirty else { return }
        sessions.states[index].frames.isDirty = true
        frameIndex.dirtySessionIDs.append(sessions.states[index].id)
    }
}
