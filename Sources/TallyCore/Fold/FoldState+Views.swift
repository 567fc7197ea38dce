extension FoldState {
    /// The watermark used to derive statuses; 0 before anything is folded (there are no sessions then).
    private var viewWatermark: Int64 { latestTimestamp ?? 0 }

    private func status(of session: SessionState, watermark: Int64) -> String {
        if let end = session.end { return end.status.sessionStatus }
        return watermark &- session.lastTimestamp > settings.inactivityTimeoutMs ? "TIMEOUT" : "ACTIVE"
    }

    /// `tally query summary` (without `snapshot_at`). `invalid` lists the reasons with a count.
    public func summary() -> SummaryView {
        var view = SummaryView()
        view.events = events
        view.duplicates = duplicates
        for reason in InvalidReason.allCases where invalidCounts[reason.index] != 0 {
            view.invalid[reason.rawValue] = invalidCounts[reason.index]
        }
        var counts: [String: Int64] = ["ACTIVE": 0]
        for status in Event.EndStatus.allCases {
            counts[status.sessionStatus] = retired.statusCounts[Int(status.rawValue)]
        }
        let watermark = viewWatermark
        for session in sessions.states { counts[status(of: session, watermark: watermark), default: 0] += 1 }
        counts["total"] = counts.values.reduce(0, +)
        view.sessions = counts
        view.messages = messages
        view.llmCalls = llmCalls
        view.toolCalls = toolCalls
        view.inputTokens = inputTokens.value
        view.outputTokens = outputTokens.value
        view.costNanos = costNanos
        view.unpricedLLMCalls = unpricedLLMCalls
        view.watermark = latestTimestamp
        return view
    }

    /// One retained session, `nil` if unknown or dropped by retention.
    public func session(_ id: String) -> SessionRow? {
        guard let session = sessions[id], !session.isPastRetention(watermark: viewWatermark, settings: settings) else {
            return nil
        }
        return session.row(responses: session.responses(slowerThan: settings.slowResponseMs))
    }

    /// Every retained session, in no particular order.
    public func sessionRows() -> [SessionRow] {
        let watermark = viewWatermark
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
        for session in sessions.states {
            if let value = key.key(of: session) { totals[value, default: RollupTotals()].add(session) }
        }
        return totals.sorted { $0.key < $1.key }.map { $0.value.view(key: $0.key) }
    }

    /// 1-minute buckets of event time, sorted, only non-empty ones.
    public func timeline() -> [TimelineBucket] {
        var buckets = timelineTotals
        let watermark = viewWatermark
        for session in sessions.states {
            buckets[floorDivide(session.startedAt, millisecondsPerMinute), default: TimelineTotals()].sessionsStarted += 1
            let endedAt = session.end?.timestamp
                ?? (session.isEnded(watermark: watermark, settings: settings) ? session.lastTimestamp : nil)
            if let endedAt {
                buckets[floorDivide(endedAt, millisecondsPerMinute), default: TimelineTotals()].sessionsEnded += 1
            }
        }
        return buckets.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }.map { minute, totals in
            var bucket = TimelineBucket(bucketStart: minute * millisecondsPerMinute)
            bucket.sessionsStarted = totals.sessionsStarted
            bucket.sessionsEnded = totals.sessionsEnded
            bucket.messages = totals.messages
            bucket.llmCalls = totals.llmCalls
            bucket.inputTokens = totals.inputTokens.value
            bucket.outputTokens = totals.outputTokens.value
            bucket.costNanos = totals.costNanos
            bucket.toolCalls = totals.toolCalls
            bucket.toolErrors = totals.toolErrors
            bucket.llmErrors = totals.llmErrors
            return bucket
        }
    }

    /// Every alert, sorted by (ts, kind, session_id, detail).
    ///
    /// `slow_response` and `long_session` are derived from the session when materialized
    /// (`long_session` at the session's `started_at`); `access_burst` has one alert per user and hour
    /// bucket, at the bucket's start, without a session id.
    public func alerts() -> [AlertView] {
        var alerts = retired.alerts
        var access = accessCounts
        for session in sessions.states {
            session.appendAlerts(to: &alerts, settings: settings)
            if let userID = session.userID?.value {
                for hourCount in session.accessWithoutUser where hourCount.count != 0 {
                    access[UserHour(userID: userID, hour: hourCount.hour), default: 0] += hourCount.count
                }
            }
        }
        for (userHour, count) in access where count > settings.accessBurst {
            alerts.append(AlertView(
                kind: .accessBurst, sessionID: nil, userID: userHour.userID,
                timestamp: userHour.hour * millisecondsPerHour, value: Double(count),
                threshold: Double(settings.accessBurst),
                detail: "user \(userHour.userID) had \(count) denied or rate-limited access events in one hour"))
        }
        alerts.sort { AlertView.sortsBefore($0, $1) }
        return alerts
    }
}

extension AlertView {
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
