extension SessionState {
    /// The session's current contribution, its derived `TIMEOUT` judged at `watermark`.
    func contribution(watermark: Int64, settings: FoldSettings) -> SessionContribution {
        var alerts: [AlertView] = []
        let responses = responses(slowerThan: settings.slowResponseMs)
        appendAlerts(to: &alerts, responses: responses, settings: settings)
        let timedOut = end == nil && isMore(than: settings.inactivityTimeoutMs, from: lastTimestamp, to: watermark)
        var rollup = RollupTotals()
        rollup.add(self, status: end?.status ?? (timedOut ? .timeout : nil), responses: responses)
        return SessionContribution(
            userKey: userID?.value, orgKey: orgID?.value, projectKey: projectID?.value,
            personaKey: personaID?.value, rollup: rollup,
            startedMinute: floorDivide(startedAt, millisecondsPerMinute),
            endStatus: end.map { Int($0.status.rawValue) },
            endedMinute: floorDivide(end?.timestamp ?? lastTimestamp, millisecondsPerMinute),
            lastTimestamp: lastTimestamp,
            timedOut: timedOut, alerts: alerts, accessWithoutUser: userID == nil ? [] : accessWithoutUser,
            failure: failure)
    }

    /// The session's error group while its status is `FAILED`.
    var failure: SessionFailure? {
        guard let end, end.status == .failed else { return nil }
        return SessionFailure(
            key: ErrorGroupKey(kind: .session, name: nil, status: SessionStatus.failed.rawValue, rawMessage: end.errorMessage),
            sessionID: id, timestamp: end.timestamp)
    }
}
