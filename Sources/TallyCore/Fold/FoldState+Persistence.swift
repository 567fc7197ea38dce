/// What changed in a `FoldState` since the last `takeChanges()`, for the snapshot store.
///
/// ```swift
/// let changes = state.takeChanges()
/// for (row, bytes) in changes.sessions { store.upsert(row, bytes) }
/// for id in changes.droppedSessionIDs { store.delete(id) }
/// ```
/// An id appears in at most one of the two lists.
public struct FoldChanges: Sendable {
    /// Sessions created or changed: their current row and the encoding of their full mergeable state.
    public var sessions: [(row: SessionRow, state: [UInt8])]
    /// Sessions dropped by retention, sorted; none of them is live again.
    public var droppedSessionIDs: [String]
    /// The rollup rows (per kind, the keys) whose totals may differ from the previous `takeChanges()`;
    /// every other row of `FoldState.rollups(by:)` is unchanged since then.
    public var rollupKeys: [RollupKey: Set<String>]

    public init(
        sessions: [(row: SessionRow, state: [UInt8])] = [], droppedSessionIDs: [String] = [],
        rollupKeys: [RollupKey: Set<String>] = [:]
    ) {
        self.sessions = sessions
        self.droppedSessionIDs = droppedSessionIDs
        self.rollupKeys = rollupKeys
    }
}

extension FoldState {
    /// 2: the watermark summary replaces the largest `ts` of format 1 (still read).
    /// 3 (1.1): the token breakdown, feedback, dead letters by field and error groups follow (2 is still read).
    static let globalsFormat: UInt8 = 3
    /// 2 (1.1): the token breakdown, feedback, log errors and the fullest context follow (1 is still read).
    static let sessionFormat: UInt8 = 2

    /// Forgets `event_id`s whose copies all lie more than 2 × `dedup_window` behind `watermark`,
    /// as ``takeChanges()`` does at a snapshot boundary. For shards of one fold that are about to
    /// be merged: each forgets, before the merge, what the merged state would forget at its snapshot
    /// anyway (pass the largest watermark of all shards), so the merge moves only the ids that stay.
    /// Makes room for about `count` more `event_id`s in the dedup window at once, instead of
    /// growing it step by step (each step rehashes every id): for a caller that knows roughly how
    /// many events are coming. Changes nothing the fold reports.
    public mutating func reserveEventIDs(_ count: Int) {
        dedup.reserve(dedup.count + count)
    }

    public mutating func forgetEventIDs(behind watermark: Int64) {
        dedup.evict(watermark: watermark, window: settings.dedupWindowMs)
    }

    /// Sessions created or changed since the last call (their current row and an opaque encoding of their
    /// full mergeable state), and the ids of sessions dropped by retention since the last call.
    /// Runs a retention sweep first and forgets `event_id`s more than 2 × `dedup_window` behind
    /// the watermark. Clears the change set.
    ///
    /// Forgetting ids only here, at a snapshot boundary, and never while folding keeps the fold
    /// independent of read order: a replay that reads a later file before an earlier one
    /// still finds every duplicate, however far its watermark has run ahead.
    public mutating func takeChanges() -> FoldChanges {
        sweepRetention()
        if let watermark { dedup.evict(watermark: watermark, window: settings.dedupWindowMs) }
        var changes = FoldChanges()
        changes.sessions.reserveCapacity(dirtySessionIDs.count)
        let watermark = statusWatermark
        for sessionID in dirtySessionIDs {
            guard let index = sessions.position(of: sessionID), sessions.states[index].isDirty else { continue }
            sessions.states[index].isDirty = false
            let session = sessions.states[index]
            changes.sessions.append((
                row: session.row(responses: session.responses(slowerThan: settings.slowResponseMs)),
                state: session.encoded()))
            let contribution = session.contribution(watermark: watermark, settings: settings)
            for key in RollupKey.allCases {
                if let old = session.contribution?.rollupKey(key) { changes.rollupKeys[key, default: []].insert(old) }
                if let new = contribution.rollupKey(key) { changes.rollupKeys[key, default: []].insert(new) }
            }
            if let old = session.contribution { live.add(old, sessionID: sessionID, sign: -1) }
            live.add(contribution, sessionID: sessionID, sign: 1)
            sessions.states[index].contribution = contribution
            retentionQueue.push(dueAt: session.retentionDue(settings: settings), sessionID: sessionID)
        }
        let timedOut = live.activeSessions.filter { isMore(than: settings.inactivityTimeoutMs, from: $0.value, to: watermark) }
        for (sessionID, lastTimestamp) in timedOut {
            let index = sessions.position(of: sessionID)
            live.timeOut(sessionID: sessionID, lastTimestamp: lastTimestamp, contribution: index.flatMap { sessions.states[$0].contribution })
            if let index { sessions.states[index].contribution?.timeOut() }
        }
        dirtySessionIDs.removeAll(keepingCapacity: true)
        changes.droppedSessionIDs = droppedSessionIDs.filter { sessions[$0] == nil }.sorted()
        droppedSessionIDs.removeAll()
        return changes
    }

    /// Everything except the sessions, as bytes: the watermark summary, counters, histograms, timeline,
    /// retired totals and alerts, and the dedup window (id fingerprint and `ts` of each remembered copy).
    /// Settings are not included.
    public func encodeGlobals() -> [UInt8] {
        encodeGlobals(format: Self.globalsFormat)
    }

    /// `encodeGlobals()` in `format` (2 or 3): format 2 is what builds before 1.1 wrote, without the
    /// 1.1 figures, so that tests can check such snapshots are still read and continued.
    func encodeGlobals(format: UInt8) -> [UInt8] {
        var writer = PackedWriter()
        writer.byte(format)
        watermarkSummary.encode(into: &writer)
        for value in [events, duplicates, messages, llmCalls, toolCalls, costNanos, unpricedLLMCalls] {
            writer.signed(value)
        }
        inputTokens.encode(into: &writer)
        outputTokens.encode(into: &writer)
        writer.count(invalidCounts.count)
        for count in invalidCounts { writer.signed(count) }

        writer.count(timelineTotals.count)
        for minute in timelineTotals.keys.sorted() {
            writer.signed(minute)
            timelineTotals[minute]!.encode(into: &writer, format: format)
        }
        writer.count(toolTotals.count)
        for (name, totals) in toolTotals.sorted(by: { $0.key < $1.key }) {
            writer.string(name)
            totals.encode(into: &writer)
        }
        writer.count(modelTotals.count)
        for (name, totals) in modelTotals.sorted(by: { $0.key < $1.key }) {
            writer.string(name)
            totals.encode(into: &writer, format: format)
        }
        writer.count(accessCounts.count)
        for (userHour, count) in accessCounts {
            writer.string(userHour.userID)
            writer.signed(userHour.hour)
            writer.signed(count)
        }

        writer.count(retired.statusCounts.count)
        for count in retired.statusCounts { writer.signed(count) }
        let rollups = format >= 3 ? retired.rollups : Array(retired.rollups.prefix(3))
        writer.count(rollups.count)
        for rollup in rollups {
            writer.count(rollup.count)
            for (key, totals) in rollup.sorted(by: { $0.key < $1.key }) {
                writer.string(key)
                totals.encode(into: &writer, format: format)
            }
        }
        writer.count(retired.alerts.count)
        for alert in retired.alerts { alert.encode(into: &writer) }

        writer.count(dedup.count)
        dedup.forEachEntry { eventID, timestamps in
            writer.unsigned(eventID.high)
            writer.unsigned(eventID.low)
            writer.count(timestamps.count)
            for timestamp in timestamps { writer.signed(timestamp) }
        }
        guard format >= 3 else { return writer.bytes }

        cachedInputTokens.encode(into: &writer)
        cacheWriteInputTokens.encode(into: &writer)
        reasoningTokens.encode(into: &writer)
        feedback.encode(into: &writer)
        writer.count(invalidFieldCounts.count)
        for (field, count) in invalidFieldCounts.sorted(by: { $0.key < $1.key }) {
            writer.string(field)
            writer.signed(count)
        }
        errorGroups.encode(into: &writer)
        return writer.bytes
    }

    /// Rebuilds a state from `encodeGlobals()` and the latest encoding of every retained session.
    /// Throws `FoldDecodingError` on bad bytes.
    ///
    /// Globals of format 1 (written before the watermark summary existed) hold only the largest `ts`
    /// folded: the summary is derived from it and the retained sessions
    /// (``WatermarkSummary/derived(quorum:window:lastActivities:latest:)`` says what that means).
    /// A token or cost total that such globals hold negative had wrapped: it counts as overflowed.
    public init(settings: FoldSettings, globals: [UInt8], sessions: some Sequence<[UInt8]>) throws {
        self.init(settings: settings)
        var reader = PackedReader(globals, part: "fold globals")
        let format = try reader.byte()
        var formerLatest: Int64?
        switch format {
        case 1:
            formerLatest = try reader.optionalSigned()
        case 2, Self.globalsFormat:
            watermarkSummary = try WatermarkSummary.decode(
                from: &reader, quorum: settings.watermarkQuorum, window: settings.dedupWindowMs)
        default:
            throw reader.failure("unknown format \(format)", code: .unknownFormat)
        }
        events = try reader.signed()
        duplicates = try reader.signed()
        messages = try reader.signed()
        llmCalls = try reader.signed()
        toolCalls = try reader.signed()
        costNanos = try reader.signed()
        unpricedLLMCalls = try reader.signed()
        inputTokens = try TokenSum.decode(from: &reader)
        outputTokens = try TokenSum.decode(from: &reader)
        guard try reader.count() == invalidCounts.count else { throw reader.failure("wrong number of invalid reasons") }
        for index in invalidCounts.indices { invalidCounts[index] = try reader.signed() }

        for _ in 0..<(try reader.count()) {
            let minute = try reader.signed()
            timelineTotals[minute] = try TimelineTotals.decode(from: &reader, format: format)
        }
        for _ in 0..<(try reader.count()) {
            let name = try reader.string()
            toolTotals[name] = try ToolTotals.decode(from: &reader)
        }
        for _ in 0..<(try reader.count()) {
            let name = try reader.string()
            modelTotals[name] = try ModelTotals.decode(from: &reader, format: format)
        }
        for _ in 0..<(try reader.count()) {
            let userHour = UserHour(userID: try reader.string(), hour: try reader.signed())
            accessCounts[userHour] = try reader.signed()
        }

        guard try reader.count() == retired.statusCounts.count else { throw reader.failure("wrong number of statuses") }
        for index in retired.statusCounts.indices { retired.statusCounts[index] = try reader.signed() }
        // Formats 1 and 2 have no persona rollup.
        let rollupCount = try reader.count()
        guard rollupCount == (format >= 3 ? retired.rollups.count : 3) else { throw reader.failure("wrong number of rollups") }
        for index in 0..<rollupCount {
            for _ in 0..<(try reader.count()) {
                let key = try reader.string()
                retired.rollups[index][key] = try RollupTotals.decode(from: &reader, format: format)
            }
        }
        for _ in 0..<(try reader.count()) { retired.alerts.append(try AlertView.decode(from: &reader)) }

        for _ in 0..<(try reader.count()) {
            let eventID = EventID(high: try reader.unsigned(), low: try reader.unsigned())
            let copyCount = try reader.count()
            guard copyCount > 0 else { throw reader.failure("dedup entry without copies") }
            var copies: [Int64] = []
            for _ in 0..<copyCount { copies.append(try reader.signed()) }
            dedup.insert(eventID, copies: copies)
        }
        if format >= 3 {
            cachedInputTokens = try TokenSum.decode(from: &reader)
            cacheWriteInputTokens = try TokenSum.decode(from: &reader)
            reasoningTokens = try TokenSum.decode(from: &reader)
            feedback = try FeedbackTotals.decode(from: &reader)
            for _ in 0..<(try reader.count()) {
                let field = try reader.string()
                invalidFieldCounts[field] = try reader.signed()
            }
            errorGroups = try ErrorGroups.decode(from: &reader, limit: settings.errorGroupLimit)
        }
        guard reader.isAtEnd else { throw reader.failure("unexpected bytes after the end") }
        inputTokens.markWrappedAsOverflowed()
        outputTokens.markWrappedAsOverflowed()
        if costNanos < 0 { costNanos = .max }

        for bytes in sessions { self.sessions.insert(try SessionState.decode(bytes)) }
        if format == 1 {
            watermarkSummary = WatermarkSummary.derived(
                quorum: settings.watermarkQuorum, window: settings.dedupWindowMs,
                lastActivities: self.sessions.states.lazy.map(\.lastTimestamp), latest: formerLatest)
        }
        let watermark = statusWatermark
        for index in self.sessions.states.indices {
            let session = self.sessions.states[index]
            let contribution = session.contribution(watermark: watermark, settings: settings)
            self.sessions.states[index].contribution = contribution
            live.add(contribution, sessionID: session.id, sign: 1)
            retentionQueue.push(dueAt: session.retentionDue(settings: settings), sessionID: session.id)
        }
        if let watermark = self.watermark {
            let (next, overflow) = watermark.addingReportingOverflow(sweepInterval)
            nextSweepAt = overflow ? .max : next
        }
    }
}
