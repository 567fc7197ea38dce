/// The width of a `timeline` bucket. The fold keeps 1-minute buckets; wider ones are their sums,
/// aligned to multiples of the width since the epoch (UTC).
public enum BucketWidth: String, Sendable, Hashable, CaseIterable {
    case oneMinute = "1m"
    case fiveMinutes = "5m"
    /// The default.
    case oneHour = "1h"
    case oneDay = "1d"

    public var milliseconds: Int64 {
        switch self {
        case .oneMinute: 60_000
        case .fiveMinutes: 300_000
        case .oneHour: 3_600_000
        case .oneDay: 86_400_000
        }
    }
}
