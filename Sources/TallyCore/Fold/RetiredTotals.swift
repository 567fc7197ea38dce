/// What sessions dropped by retention leave behind in the totals.
struct RetiredTotals: Sendable {
    /// Indexed by `Event.EndStatus.rawValue` (a retired session is always ended).
    var statusCounts: [Int64] = Array(repeating: 0, count: Event.EndStatus.allCases.count)
    /// Indexed by `RollupKey.index`.
    var rollups: [[String: RollupTotals]] = Array(repeating: [:], count: RollupKey.allCases.count)
    var alerts: [AlertView] = []
    // Retired sessions' error groups go into `FoldState.errorGroups`, which never changes them again.

    mutating func merge(_ other: RetiredTotals) {
        for index in statusCounts.indices { statusCounts[index] &+= other.statusCounts[index] }
        for index in rollups.indices {
            rollups[index].merge(other.rollups[index]) { mine, theirs in
                var sum = mine
                sum.merge(theirs)
                return sum
            }
        }
        alerts.append(contentsOf: other.alerts)
    }
}

/// Whether `later - earlier > limit`, exactly for any values: a difference past `Int64` is more
/// than any limit when `later` is the larger, never otherwise.
@inline(__always)
func isMore(than limit: Int64, from earlier: Int64, to later: Int64) -> Bool {
    let (difference, overflow) = later.subtractingReportingOverflow(earlier)
    return overflow ? later > earlier : difference > limit
}

/// Floor division for bucketing event times (also correct before 1970).
@inline(__always)
func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
    let quotient = value / divisor
    return (value % divisor < 0) ? quotient - 1 : quotient
}

let millisecondsPerMinute: Int64 = 60_000
let millisecondsPerHour: Int64 = 3_600_000
