extension FoldState {
    /// How far the watermark moves between two sweeps of the session table.
    var sweepInterval: Int64 { max(millisecondsPerMinute, settings.sessionRetentionMs / 8) }

    /// Stops session retention until ``resumeRetention()``: no session leaves the table and a late
    /// event never starts a second record of its session. For folding events far from time order
    /// (a replay reading files in parallel, whose watermark runs ahead of older files): with retention
    /// suspended, the fold of a set of events is the same in every order and every split by session.
    public mutating func suspendRetention() {
        retentionSuspended = true
    }

    /// Applies session retention again, at once (sessions past it at the watermark leave the table) and from now on.
    public mutating func resumeRetention() {
        retentionSuspended = false
        sweepRetention()
    }

    /// ``resumeRetention()`` at `watermark` if that is later than the fold's own, which it becomes
    /// (no event is counted). For parts of one fold split by session (replay's shards) before they are
    /// merged: at the merged watermark, each part drops what the merged fold would drop, so the parts
    /// can apply retention in parallel and report the drops in their own ``takeChanges()``.
    /// The merged watermark comes from ``watermark(ofMerged:)``, not from the largest of the parts'
    /// own: events of several parts may vouch for it together.
    public mutating func resumeRetention(watermark: Int64) {
        watermarkSummary.raiseFloor(to: watermark)
        resumeRetention()
    }

    /// The watermark that merging `parts` into one fold would give, without merging them.
    public static func watermark(ofMerged parts: [FoldState]) -> Int64? {
        guard var summary = parts.first?.watermarkSummary else { return nil }
        for part in parts.dropFirst() { summary.merge(part.watermarkSummary) }
        return summary.watermark
    }

    /// Moves every session past retention out of the table into the retired totals.
    ///
    /// Sweeping only saves memory: the views treat a session past retention the same whether or not
    /// it has been swept (its contributions no longer change once it is ended), so results do not
    /// depend on when sweeps run.
    mutating func sweepRetention() {
        guard !retentionSuspended, let watermark else { return }
        let (next, overflow) = watermark.addingReportingOverflow(sweepInterval)
        nextSweepAt = overflow ? .max : next
        // Refreshed sessions are found through their due watermark; changed ones are checked directly.
        var expired: [String] = []
        while let sessionID = retentionQueue.popDue(before: watermark) {
            if !evicted.isEmpty, sessions.position(of: sessionID) == nil { _ = reloadEvicted(sessionID) }
            if let session = sessions[sessionID], session.isPastRetention(watermark: watermark, settings: settings) {
                expired.append(sessionID)
            }
        }
        for sessionID in dirtySessionIDs {
            if let session = sessions[sessionID], session.isPastRetention(watermark: watermark, settings: settings) {
                expired.append(sessionID)
            }
        }
        for sessionID in expired { retire(sessionID) }
    }

    /// Drops a session from the table, keeping what it adds to status counts, rollups, timeline and alerts.
    mutating func retire(_ sessionID: String) {
        guard let watermark, let session = sessions.remove(sessionID) else { return }
        if let contribution = session.contribution { live.add(contribution, sessionID: sessionID, sign: -1) }
        let (row, alerts) = session.materialize(watermark: watermark, settings: settings)
        let status = session.end?.status ?? .timeout
        retired.statusCounts[Int(status.rawValue)] &+= 1
        timelineTotals[floorDivide(row.startedAt, millisecondsPerMinute), default: TimelineTotals()].sessionsStarted &+= 1
        if let endedAt = row.endedAt(watermark: watermark, inactivityTimeoutMs: settings.inactivityTimeoutMs) {
            timelineTotals[floorDivide(endedAt, millisecondsPerMinute), default: TimelineTotals()].sessionsEnded &+= 1
        }
        let responses = session.responses(slowerThan: settings.slowResponseMs)
        for rollup in RollupKey.allCases {
            if let key = rollup.key(of: session) {
                retired.rollups[rollup.index][key, default: RollupTotals()].add(session, status: status, responses: responses)
            }
        }
        if let failure = session.failure {
            errorGroups.add(failure.key, ErrorGroupTotals(timestamp: failure.timestamp, sessionID: sessionID))
        }
        retired.alerts.append(contentsOf: alerts)
        if let userID = session.userID?.value {
            for hourCount in session.accessWithoutUser where hourCount.count != 0 {
                accessCounts[UserHour(userID: userID, hour: hourCount.hour), default: 0] &+= hourCount.count
            }
        }
        droppedSessionIDs.insert(sessionID)
        frameIndex.droppedSessionIDs.insert(sessionID)
    }
}
