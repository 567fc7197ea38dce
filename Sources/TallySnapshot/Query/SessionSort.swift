/// Orders of the `sessions` subject, all descending; ties by `session_id` ascending.
public enum SessionSort: String, Sendable, Hashable, CaseIterable {
    /// `cost_usd`.
    case cost
    /// `input_tokens + output_tokens`.
    case tokens
    /// `duration_ms`.
    case duration
    /// `started_at`: the default.
    case started
    /// `last_activity_at`.
    case lastActivity = "last_activity"
}
