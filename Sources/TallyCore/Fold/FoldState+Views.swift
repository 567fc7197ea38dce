extension FoldState {
    /// The watermark used to derive statuses: `Int64.min` while there is none, so that no session
    /// is timed out or past retention before one exists.
    var statusWatermark: Int64 { watermark ?? .min }

    /// What the cached `live` sums lack at this moment: the sessions changed since their last refresh
    /// (their cached contribution taken back, their current one added) and the sessions counted
    /// `ACTIVE` that have timed out since. O(changed sessions + active sessions).
    private func pendingAdjustment(watermark: Int64) -> LiveAggregates {
        var adjustment = LiveAggregates()
        var seen = Set<String>()
        for sessionID in dirtySessionIDs where seen.insert(sessionID).inserted {
            guard let index = sessions.position(of: sessionID), sessions.states[index].isDirty else { continue }
            let session = sessions.states[index]
            if let old = session.contribution { adjustment.add(old, sessionID: sessionID, sign: -1) }
            adjustment.add(session.contribution(watermark: watermark, settings: settings), sessionID: sessionID, sign: 1)
        }
        for (sessionID, lastTimestamp) in live.activeSessions
        where isMore(than: settings.inactivityTimeoutMs, from: lastTimestamp, to: watermark) {
            let index = sessions.position(of: sessionID)
            if let index, sessions.states[index].isDirty { continue }
            adjustment.timeOut(
                sessionID: sessionID, lastTimestamp: lastTimestamp, contribution: index.flatMap { sessions.states[$0].contribution })
        }
        return adjustment
    }

    /// `tally query summary` (without `snapshot_at`). `invalid` lists the reasons with a count.
    public func summary() -> SummaryView {
        var view = SummaryView()
        view.events = events
        view.duplicates = duplicates
        for reason in InvalidReason.allCases where invalidCounts[reason.index] != 0 {
            view.invalid[reason.rawValue] = invalidCounts[reason.index]
        }
        var counts: [String: Int64] = [SessionStatus.active.rawValue: 0]
        for status in Event.EndStatus.allCases {
            counts[status.sessionStatus.rawValue] = retired.statusCounts[Int(status.rawValue)]
        }
        let adjustment = pendingAdjustment(watermark: statusWatermark)
        counts[SessionStatus.active.rawValue] = live.active &+ adjustment.active
        for status in Event.EndStatus.allCases {
            let index = Int(status.rawValue)
            counts[status.sessionStatus.rawValue, default: 0] += live.statusCounts[index] &+ adjustment.statusCounts[index]
        }
        counts["total"] = counts.values.reduce(0, +)
        view.sessions = counts
        view.messages = messages
        view.llmCalls = llmCalls
        view.toolCalls = toolCalls
        view.inputTokens = inputTokens.value
        view.outputTokens = outputTokens.value
        view.costNanos = costNanos
        view.unpricedLLMCalls = unpricedLLMCalls
        view.cachedInputTokens = cachedInputTokens.value
        view.cacheWriteInputTokens = cacheWriteInputTokens.value
        view.reasoningTokens = reasoningTokens.value
        view.feedback = feedback.feedback
        view.ratings = feedback.ratings
        view.averageRating = feedback.averageRating
        view.sentiment = ["positive": feedback.positive, "neutral": feedback.neutral, "negative": feedback.negative]
        view.invalidFields = invalidFieldCounts.filter { $0.value != 0 }
        view.watermark = watermark
        view.overflowedTotals = overflowedTotals
        return view
    }

    /// The names of the fold's token and cost totals that are saturated (see ``SummaryView/overflowedTotals``).
    var overflowedTotals: [String] {
        var tokens = inputTokens.total
        tokens.addSaturating(outputTokens.total)
        return [
            ("input_tokens", inputTokens.isSaturated), ("output_tokens", outputTokens.isSaturated),
            ("total_tokens", tokens == .max), ("cost_usd", costNanos == .max),
        ].filter(\.1).map(\.0)
    }

    /// One retained session, `nil` if unknown or dropped by retention.
    public func session(_ id: String) -> SessionRow? {
        guard let session = sessions[id], !session.isPastRetention(watermark: statusWatermark, settings: settings) else {
            return nil
        }
        return session.row(responses: session.responses(slowerThan: settings.slowResponseMs))
    }

    /// Every retained session, in no particular order.
    public func sessionRows() -> [SessionRow] {
        let watermark = statusWatermark
        return sessions.states.compactMap { session in
            session.isPastRetention(watermark: watermark, settings: settings)
                ? nil : session.row(responses: session.responses(slowerThan: settings.slowResponseMs))
        }
    }

    /// One row a tool, sorted by tool name.
    public func tools() -> [ToolView] {
        toolTotals.filter { $0.value.calls != 0 }.sorted { $0.key < $1.key }.map { $0.value.view(toolName: $0.key) }
    }

    /// One row a model, sorted by model name.
    public func models() -> [ModelView] {
        modelTotals.filter { $0.value.calls != 0 }.sorted { $0.key < $1.key }.map { $0.value.view(model: $0.key) }
    }

    /// Sessions grouped by their user, org or project id, sorted by key; sessions without the id are left out.
    public func rollups(by key: RollupKey) -> [RollupView] {
        var totals = retired.rollups[key.index]
        let adjustment = pendingAdjustment(watermark: statusWatermark)
        for part in [live.rollups[key.index], adjustment.rollups[key.index]] {
            for (value, sums) in part {
                var sum = totals[value, default: RollupTotals()]
                sum.merge(sums)
                totals[value] = sum == RollupTotals() ? nil : sum
            }
        }
        return totals.sorted { $0.key < $1.key }.map { $0.value.view(key: $0.key) }
    }

    /// The rows of `rollups(by: key)` for the given keys (those without sessions left out), in no
    /// particular order: O(keys + sessions changed since the last `takeChanges()` + active sessions).
    public func rollups(by key: RollupKey, keys: some Sequence<String>) -> [RollupView] {
        let adjustment = pendingAdjustment(watermark: statusWatermark)
        var rows: [RollupView] = []
        for value in keys {
            var sum = retired.rollups[key.index][value, default: RollupTotals()]
            if let sums = live.rollups[key.index][value] { sum.merge(sums) }
            if let sums = adjustment.rollups[key.index][value] { sum.merge(sums) }
            if sum != RollupTotals() { rows.append(sum.view(key: value)) }
        }
        return rows
    }

    /// 1-minute buckets of event time, sorted, only non-empty ones.
    public func timeline() -> [TimelineBucket] {
        let adjustment = pendingAdjustment(watermark: statusWatermark)
        let sessionCounts = [live.sessionsStarted, live.sessionsEnded, adjustment.sessionsStarted, adjustment.sessionsEnded]
        // Sorts the minutes alone and looks each up, instead of copying and sorting the whole totals.
        var minutes = Array(timelineTotals.keys)
        for counts in sessionCounts {
            for minute in counts.keys where timelineTotals[minute] == nil { minutes.append(minute) }
        }
        minutes.sort()
        var buckets: [TimelineBucket] = []
        buckets.reserveCapacity(minutes.count)
        var previous: Int64?
        for minute in minutes where minute != previous {
            previous = minute
            var totals = timelineTotals[minute] ?? TimelineTotals()
            totals.sessionsStarted &+= (live.sessionsStarted[minute] ?? 0) &+ (adjustment.sessionsStarted[minute] ?? 0)
            totals.sessionsEnded &+= (live.sessionsEnded[minute] ?? 0) &+ (adjustment.sessionsEnded[minute] ?? 0)
            if !totals.isEmpty { buckets.append(totals.bucket(minute: minute)) }
        }
        return buckets
    }

    /// Every error group, largest first (ties by kind, name, status, message): failed calls and retired
    /// `FAILED` sessions from the bounded groups, live `FAILED` sessions as they are now, bounded together
    /// to `settings.errorGroupLimit` groups plus one `(other)` per kind. O(groups + failed live sessions).
    public func errorGroupViews() -> [ErrorGroupView] {
        var groups = errorGroups
        var failures = live.failures
        let adjustment = pendingAdjustment(watermark: statusWatermark)
        for sessions in adjustment.failures.values {
            for (failure, count) in sessions {
                var counted = failures.removeValue(forKey: failure.key) ?? [:]
                LiveAggregates.add(count, to: &counted, failure)
                if !counted.isEmpty { failures[failure.key] = counted }
            }
        }
        for (key, sessions) in failures {
            var totals: ErrorGroupTotals?
            for (failure, count) in sessions where count > 0 {
                let one = ErrorGroupTotals(timestamp: failure.timestamp, sessionID: failure.sessionID)
                if totals == nil { totals = one } else { totals!.merge(one) }
            }
            if let totals { groups.add(key, totals) }
        }
        return groups.views()
    }

    /// Every alert, sorted by (ts, kind, session_id, detail).
    ///
    /// `slow_response` and `long_session` are derived from the session when materialized
    /// (`long_session` at the session's `started_at`); `access_burst` has one alert per user and hour
    /// bucket, at the bucket's start, without a session id.
    public func alerts() -> [AlertView] {
        var alerts = retired.alerts
        var access = accessCounts
        let adjustment = pendingAdjustment(watermark: statusWatermark)
        var sessionAlerts = live.alerts
        for (sessionID, lists) in adjustment.alerts {
            for list in lists { LiveAggregates.add(list.alerts, count: list.count, to: &sessionAlerts, sessionID) }
        }
        for lists in sessionAlerts.values {
            for list in lists where list.count > 0 {
                for _ in 0..<list.count { alerts.append(contentsOf: list.alerts) }
            }
        }
        for part in [live.access, adjustment.access] {
            for (userHour, count) in part { access[userHour, default: 0] &+= count }
        }
        for (userHour, count) in access where count > settings.accessBurst {
            alerts.append(AlertView(
                kind: .accessBurst, sessionID: nil, userID: userHour.userID,
                timestamp: userHour.hour * millisecondsPerHour, value: Double(count),
                threshold: Double(settings.accessBurst),
                detail: "user \(userHour.userID) had \(count) denied or rate-limited access events in one hour"))
        }
        // Sorts (ts, kind) keys with positions, then gathers once: no alert is copied per comparison,
        // and only alerts that tie on time and kind are compared whole.
        let kindRanks = AlertView.kindRanks
        var keys = alerts.indices.map { (timestamp: alerts[$0].timestamp, kind: kindRanks[alerts[$0].kind]!, position: $0) }
        alerts.withUnsafeBufferPointer { alerts in
            keys.sort { lhs, rhs in
                if lhs.timestamp != rhs.timestamp { return lhs.timestamp < rhs.timestamp }
                if lhs.kind != rhs.kind { return lhs.kind < rhs.kind }
                return AlertView.sortsBefore(alerts[lhs.position], alerts[rhs.position])
            }
        }
        return keys.map { alerts[$0.position] }
    }
}

extension AlertView {
    /// Each kind's place in the order of their names (the order of `kind` in ``sortsBefore(_:_:)``).
    static let kindRanks: [Kind: Int] = Dictionary(
        uniqueKeysWithValues: Kind.allCases.sorted { $0.rawValue < $1.rawValue }.enumerated().map { ($1, $0) })

    /// Total order: (ts, kind, session_id with none first, detail, then the remaining fields).
    static func sortsBefore(_ lhs: AlertView, _ rhs: AlertView) -> Bool {
        if lhs.timestamp != rhs.timestamp { return lhs.timestamp < rhs.timestamp }
        if lhs.kind != rhs.kind { return lhs.kind.rawValue < rhs.kind.rawValue }
        if lhs.sessionID != rhs.sessionID {
            guard let left = lhs.sessionID else { return true }
            guard let right = rhs.sessionID else { return false }
            return left < right
        }
        if lhs.detail != rhs.detail { return lhs.detail < rhs.detail }
        if lhs.value != rhs.value { return lhs.value < rhs.value }
        if lhs.threshold != rhs.threshold { return lhs.threshold < rhs.threshold }
        return (lhs.userID ?? "") < (rhs.userID ?? "")
    }
}
