/// A session's status as queries show and filter it: the status of its latest `session_end`,
/// or, without one, `ACTIVE` until the watermark is more than the inactivity timeout past its
/// last activity and `TIMEOUT` after.
///
/// ```swift
/// row.status(watermark: watermark, inactivityTimeoutMs: 86_400_000) == .active
/// SessionStatus(rawValue: "FAILED")   // .failed
/// ```
public enum SessionStatus: String, Sendable, Hashable, CaseIterable, Codable {
    case active = "ACTIVE"
    case completed = "COMPLETED"
    case failed = "FAILED"
    case cancelled = "CANCELLED"
    case timeout = "TIMEOUT"

    /// The status a `session_end` with `status` gives its session.
    public init(_ status: Event.EndStatus) {
        switch status {
        case .completed: self = .completed
        case .failed: self = .failed
        case .cancelled: self = .cancelled
        case .timeout: self = .timeout
        }
    }

    /// The `session_end` status that gives this status; `nil` for `ACTIVE`, which no event sets.
    public var endStatus: Event.EndStatus? {
        switch self {
        case .active: nil
        case .completed: .completed
        case .failed: .failed
        case .cancelled: .cancelled
        case .timeout: .timeout
        }
    }
}
