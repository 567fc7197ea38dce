/// The sums of the contributions of the live sessions (as last refreshed), so that the views cost
/// O(sessions changed since the refresh + sessions counted active) instead of O(all sessions).
///
/// ```swift
/// var totals = LiveAggregates()
/// totals.add(contribution, sessionID: "s1", sign: 1)    // a session's refreshed contribution
/// totals.add(contribution, sessionID: "s1", sign: -1)   // taken back before its next refresh
/// ```
/// Keys whose sums return to zero are removed, so every map only holds what some session adds.
struct LiveAggregates: Sendable {
    /// By `Event.EndStatus.rawValue`: explicit ends, and derived `TIMEOUT`s under `.timeout`.
    var statusCounts: [Int64] = Array(repeating: 0, count: Event.EndStatus.allCases.count)
    var active: Int64 = 0
    /// By `RollupKey.index`.
    var rollups: [[String: RollupTotals]] = Array(repeating: [:], count: RollupKey.allCases.count)
    var sessionsStarted: [Int64: Int64] = [:]
    var sessionsEnded: [Int64: Int64] = [:]
    /// The alerts of each counted contribution that has any, by session id: a session's alerts are
    /// added and taken back as one list, so no alert is hashed on its own. A session has one list,
    /// or two while both parts of a merge count it; an adjustment counts a list taken back as -1.
    var alerts: [String: [AlertList]] = [:]
    var access: [UserHour: Int64] = [:]
    /// Sessions without an explicit end counted `ACTIVE`: id → last activity.
    var activeSessions: [String: Int64] = [:]
    /// `FAILED` sessions by error group, counted (two while both parts of a merge count one).
    var failures: [ErrorGroupKey: [SessionFailure: Int64]] = [:]

    static let timeoutIndex = Int(Event.EndStatus.timeout.rawValue)

    mutating func add(_ contribution: SessionContribution, sessionID: String, sign: Int64) {
        if let status = contribution.endStatus {
            statusCounts[status] &+= sign
            Self.add(sign, to: &sessionsEnded, contribution.endedMinute)
        } else if contribution.timedOut {
            statusCounts[Self.timeoutIndex] &+= sign
            Self.add(sign, to: &sessionsEnded, contribution.endedMinute)
        } else {
            active &+= sign
            activeSessions[sessionID] = sign > 0 ? contribution.lastTimestamp : nil
        }
        Self.add(sign, to: &sessionsStarted, contribution.startedMinute)
        for key in RollupKey.allCases {
            guard let value = contribution.rollupKey(key) else { continue }
            Self.add(contribution.rollup, sign: sign, to: &rollups[key.index], value)
        }
        if !contribution.alerts.isEmpty { Self.add(contribution.alerts, count: Int(sign), to: &alerts, sessionID) }
        if let userID = contribution.userKey {
            for hourCount in contribution.accessWithoutUser where hourCount.count != 0 {
                Self.add(sign &* hourCount.count, to: &access, UserHour(userID: userID, hour: hourCount.hour))
            }
        }
        if let failure = contribution.failure { addFailure(failure, count: sign) }
    }

    mutating func addFailure(_ failure: SessionFailure, count: Int64) {
        var sessions = failures.removeValue(forKey: failure.key) ?? [:]
        Self.add(count, to: &sessions, failure)
        if !sessions.isEmpty { failures[failure.key] = sessions }
    }

    /// Adds the sums of another set of sessions. A session counted `ACTIVE` by both stays listed once
    /// in `activeSessions`; the caller takes one of its two contributions back.
    mutating func merge(_ other: LiveAggregates) {
        for index in statusCounts.indices { statusCounts[index] &+= other.statusCounts[index] }
        active &+= other.active
        for index in rollups.indices {
            for (key, totals) in other.rollups[index] { Self.add(totals, sign: 1, to: &rollups[index], key) }
        }
        for (minute, count) in other.sessionsStarted { Self.add(count, to: &sessionsStarted, minute) }
        for (minute, count) in other.sessionsEnded { Self.add(count, to: &sessionsEnded, minute) }
        for (sessionID, lists) in other.alerts {
            for list in lists { Self.add(list.alerts, count: list.count, to: &alerts, sessionID) }
        }
        for (userHour, count) in other.access { Self.add(count, to: &access, userHour) }
        for sessions in other.failures.values {
            for (failure, count) in sessions { addFailure(failure, count: count) }
        }
        activeSessions.merge(other.activeSessions) { mine, _ in mine }
    }

    /// Moves a session counted `ACTIVE` to derived `TIMEOUT`, ended at `lastTimestamp`, in its
    /// rollup rows too (`contribution`: what it added while `ACTIVE`).
    mutating func timeOut(sessionID: String, lastTimestamp: Int64, contribution: SessionContribution?) {
        active &-= 1
        activeSessions[sessionID] = nil
        statusCounts[Self.timeoutIndex] &+= 1
        Self.add(1, to: &sessionsEnded, floorDivide(lastTimestamp, millisecondsPerMinute))
        guard let contribution else { return }
        var change = RollupTotals()
        change.timeOut()
        for key in RollupKey.allCases {
            guard let value = contribution.rollupKey(key) else { continue }
            var sum = rollups[key.index][value, default: RollupTotals()]
            sum.merge(change)
            rollups[key.index][value] = sum == RollupTotals() ? nil : sum
        }
    }

    static func add<Key: Hashable>(_ amount: Int64, to map: inout [Key: Int64], _ key: Key) {
        // Changed in place (one lookup); a sum back at zero leaves the map.
        let emptied = { (sum: inout Int64) -> Bool in
            sum &+= amount
            return sum == 0
        }(&map[key, default: 0])
        if emptied { map[key] = nil }
    }

    /// Adds `count` copies of a session's alert list (a negative count takes copies back).
    static func add(_ list: [AlertView], count: Int, to map: inout [String: [AlertList]], _ sessionID: String) {
        let emptied = { (lists: inout [AlertList]) -> Bool in
            // Usually the very list added before (equal storage compares in O(1)).
            if let index = lists.firstIndex(where: { $0.alerts == list }) {
                lists[index].count += count
                if lists[index].count == 0 { lists.remove(at: index) }
            } else {
                lists.append(AlertList(alerts: list, count: count))
            }
            return lists.isEmpty
        }(&map[sessionID, default: []])
        if emptied { map[sessionID] = nil }
    }

    static func add(_ totals: RollupTotals, sign: Int64, to map: inout [String: RollupTotals], _ key: String) {
        let emptied = { (sum: inout RollupTotals) -> Bool in
            if sign > 0 { sum.merge(totals) } else { sum.subtract(totals) }
            return sum == RollupTotals()
        }(&map[key, default: RollupTotals()])
        if emptied { map[key] = nil }
    }
}
