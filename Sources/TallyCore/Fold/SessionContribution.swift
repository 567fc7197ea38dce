/// What one session adds to the session-derived views, as of its last refresh.
///
/// Everything here but the status is independent of the watermark: rollup sums, `sessions_started`,
/// an explicit end's status and `sessions_ended` bucket, alerts, and access events counted for the
/// session's user. A session without an explicit end is either counted `ACTIVE` or, once its last
/// activity fell more than `inactivity_timeout` behind the watermark, derived `TIMEOUT` (`timedOut`).
struct SessionContribution: Sendable {
    var userKey: String?
    var orgKey: String?
    var projectKey: String?
    var personaKey: String?
    var rollup: RollupTotals
    var startedMinute: Int64
    /// `Event.EndStatus.rawValue` and minute of an explicit end.
    var endStatus: Int?
    var endedMinute: Int64
    var lastTimestamp: Int64
    /// Without an explicit end and counted as derived `TIMEOUT` (ended at `lastTimestamp`).
    var timedOut: Bool
    var alerts: [AlertView]
    var accessWithoutUser: [SessionState.HourCount]
    /// The error group of a `FAILED` session, and the `ts` of its end.
    var failure: SessionFailure?

    func rollupKey(_ key: RollupKey) -> String? {
        switch key {
        case .user: userKey
        case .org: orgKey
        case .project: projectKey
        case .persona: personaKey
        }
    }

    /// Counted `ACTIVE` until now: derived `TIMEOUT` from here on, in its rollups too.
    mutating func timeOut() {
        timedOut = true
        rollup.timeOut()
    }
}
