/// One row of `tally query errors` (events.md, "Feedback, personas and errors").
public struct ErrorGroupView: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case llm, tool, session
    }
    public var kind: Kind
    /// The model, the tool, or `nil` for a session (and for `(other)`).
    public var name: String?
    /// `error`, `timeout` or `FAILED`; `nil` for `(other)`.
    public var status: String?
    /// The normalized `error_message`, `nil` when absent, `(other)` for the groups past the bound.
    public var message: String?
    public var count: Int64
    public var firstTimestamp: Int64
    public var lastTimestamp: Int64
    /// The session of the group's earliest event (ties: the smaller session id).
    public var sessionID: String?

    public init(
        kind: Kind, name: String?, status: String?, message: String?, count: Int64,
        firstTimestamp: Int64, lastTimestamp: Int64, sessionID: String?
    ) {
        self.kind = kind
        self.name = name
        self.status = status
        self.message = message
        self.count = count
        self.firstTimestamp = firstTimestamp
        self.lastTimestamp = lastTimestamp
        self.sessionID = sessionID
    }

    /// The message of the group that counts what the bound leaves out.
    public static let otherMessage = "(other)"

    /// Largest count first; ties by kind, name, status, message (absent first), so the order is total.
    static func sortsBefore(_ lhs: ErrorGroupView, _ rhs: ErrorGroupView) -> Bool {
        if lhs.count != rhs.count { return lhs.count > rhs.count }
        if lhs.kind != rhs.kind { return lhs.kind.rawValue < rhs.kind.rawValue }
        if lhs.name != rhs.name { return (lhs.name ?? "") < (rhs.name ?? "") || lhs.name == nil }
        if lhs.status != rhs.status { return (lhs.status ?? "") < (rhs.status ?? "") || lhs.status == nil }
        if lhs.message != rhs.message { return lhs.message == nil || (rhs.message != nil && lhs.message! < rhs.message!) }
        return false
    }
}
