extension FoldState {
    /// Whether `self` and `other` both folded a copy of some `event_id` within the dedup window:
    /// then ``merge(_:)`` would count that event twice. Parts split by session never do unless
    /// copies of one event carry different sessions; a caller can then fold those events together.
    public func sharesFoldedEventIDs(with other: FoldState) -> Bool {
        dedup.sharesFoldedCopies(with: other.dedup, window: settings.dedupWindowMs)
    }

    /// Folds `other` into `self`: the result equals the fold of the union of both event sets.
    ///
    /// Exact for every sum, histogram, list and choice when no `event_id` was folded by both parts:
    /// split events by `session_id` (a retry keeps its session) or by `event_id` and this always holds.
    /// An event folded by both parts stays folded twice: the fold keeps only the `ts` of folded ids,
    /// not what they added, so it cannot be taken back. The dedup windows are merged, so later copies
    /// are recognized. Both states must use the same settings; `self`'s are kept. O(size of `other`).
    ///
    /// Changes already taken from `other` (``takeChanges()``) stay taken: `self.takeChanges()` reports
    /// a session of `other` again only if `self` held it too or it changed after that call. Parts can
    /// so take their changes in parallel before they are merged (see `SnapshotWriter.write`).
    public mutating func merge(_ other: consuming FoldState) {
        sweepRetention()
        other.sweepRetention()

        watermarkSummary.merge(other.watermarkSummary)
        events &+= other.events
        duplicates &+= other.duplicates
        for index in invalidCounts.indices { invalidCounts[index] &+= other.invalidCounts[index] }
        messages &+= other.messages
        llmCalls &+= other.llmCalls
        toolCalls &+= other.toolCalls
        inputTokens.merge(other.inputTokens)
        outputTokens.merge(other.outputTokens)
        costNanos.addSaturating(other.costNanos)
        unpricedLLMCalls &+= other.unpricedLLMCalls
        cachedInputTokens.merge(other.cachedInputTokens)
        cacheWriteInputTokens.merge(other.cacheWriteInputTokens)
        reasoningTokens.merge(other.reasoningTokens)
        feedback.merge(other.feedback)
        for (field, count) in other.invalidFieldCounts { invalidFieldCounts[field, default: 0] &+= count }
        errorGroups.merge(other.errorGroups)
        for (minute, totals) in other.timelineTotals { timelineTotals[minute, default: TimelineTotals()].merge(totals) }
        for (name, totals) in other.toolTotals { toolTotals[name, default: ToolTotals()].merge(totals) }
        for (name, totals) in other.modelTotals { modelTotals[name, default: ModelTotals()].merge(totals) }
        for (key, count) in other.accessCounts { accessCounts[key, default: 0] &+= count }
        retired.merge(other.retired)

        // `other`'s cached sums come along with its sessions' cached contributions, so sessions that
        // `other` refreshed (`takeChanges()`) and only it holds stay refreshed: their changes were taken
        // from `other` and are not reported again here.
        let frameMap = absorbFrameFiles(of: other.frameIndex)
        live.merge(other.live)
        retentionQueue.merge(other.retentionQueue)
        for session in other.sessions.states {
            if let index = sessions.position(of: session.id) {
                // Held by both: `other`'s contribution is taken back now, `self`'s at the next refresh.
                if let contribution = session.contribution { live.add(contribution, sessionID: session.id, sign: -1) }
                sessions.states[index].merge(session)
                mergeFrames(session.frames, into: index, fileMap: frameMap)
                markDirty(session.id)
            } else {
                // Its dirty flag belongs to `other`'s change tracking: reset it so `markDirty` records the id here.
                let index = sessions.insert(session)
                adoptFrames(at: index, fileMap: frameMap)
                if session.isDirty {
                    sessions.states[index].isDirty = false
                    markDirty(session.id)
                }
            }
        }
        droppedSessionIDs.formUnion(other.droppedSessionIDs)
        frameIndex.droppedSessionIDs.formUnion(other.frameIndex.droppedSessionIDs)
        nextSweepAt = min(nextSweepAt, other.nextSweepAt)

        dedup.merge(other.dedup, window: settings.dedupWindowMs)
    }

    mutating func markDirty(_ sessionID: String) {
        guard let index = sessions.position(of: sessionID), !sessions.states[index].isDirty else { return }
        sessions.states[index].isDirty = true
        dirtySessionIDs.append(sessionID)
    }
}
