import TallyCore

/// One `tally query` request: a subject and the filters that apply to it.
///
/// ```swift
/// let query = try SnapshotQuery(what: "sessions", sort: "cost", limit: 10)
/// try SnapshotReader(path: dir).run(query, format: .json) { print($0, terminator: "") }
/// ```
public struct SnapshotQuery: Sendable, Equatable {
    public enum Subject: Sendable, Equatable {
        case summary, sessions, session(String), tools, models, timeline, alerts, invalid
        /// `users`, or `--by org` / `--by project`.
        case rollups(by: String)
    }

    /// Orders of `sessions`, all descending; ties by `session_id` ascending.
    public enum SessionSort: String, Sendable, CaseIterable {
        case cost, tokens, duration, started
        case lastActivity = "last_activity"
    }

    public var subject: Subject
    /// `ACTIVE`, `COMPLETED`, `FAILED`, `CANCELLED` or `TIMEOUT`.
    public var status: String?
    public var userID: String?
    public var orgID: String?
    public var projectID: String?
    /// `started_at` (sessions), `bucket_start` (timeline), `ts` (alerts) at or after, epoch ms.
    public var since: Int64?
    /// … and before, epoch ms.
    public var until: Int64?
    public var sort: SessionSort = .started
    /// `nil`: the subject's default (50 for sessions, all otherwise); 0: no limit.
    public var limit: Int?
    public var offset: Int = 0
    public var bucketMs: Int64 = 3_600_000
    public var alertKind: AlertView.Kind?

    public init(subject: Subject) {
        self.subject = subject
    }

    static let subjects = ["summary", "sessions", "session", "tools", "models", "users", "timeline", "alerts", "invalid"]
    static let statuses = ["ACTIVE", "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT"]
    static let buckets: [String: Int64] = ["1m": 60_000, "5m": 300_000, "1h": 3_600_000, "1d": 86_400_000]

    /// Builds a query from command-line words; a word that does not parse or a filter that
    /// does not apply to the subject is a `.badQuery` error naming it.
    public init(
        what: String, id: String? = nil, status: String? = nil, user: String? = nil, org: String? = nil,
        project: String? = nil, since: String? = nil, until: String? = nil, sort: String? = nil,
        limit: Int? = nil, offset: Int? = nil, by: String? = nil, bucket: String? = nil, kind: String? = nil
    ) throws(SnapshotError) {
        func bad(_ message: String) -> SnapshotError { SnapshotError(code: .badQuery, message: message) }
        func refuse(_ option: String, _ value: Any?, allowed: Bool) throws(SnapshotError) {
            if value != nil, !allowed { throw bad("--\(option) does not apply to '\(what)'") }
        }
        switch what {
        case "summary": subject = .summary
        case "sessions": subject = .sessions
        case "session":
            guard let id, !id.isEmpty else { throw bad("'session' needs a session id: tally query --snapshot DIR session ID") }
            subject = .session(id)
        case "tools": subject = .tools
        case "models": subject = .models
        case "users":
            let key = by ?? "user"
            guard ["user", "org", "project"].contains(key) else { throw bad("--by must be user, org or project, not '\(key)'") }
            subject = .rollups(by: key)
        case "timeline": subject = .timeline
        case "alerts": subject = .alerts
        case "invalid": subject = .invalid
        default:
            throw bad("unknown query subject '\(what)'; use one of \(Self.subjects.joined(separator: ", "))")
        }
        if what != "session", let id { throw bad("unexpected argument '\(id)' after '\(what)'") }
        let isSessions = subject == .sessions
        let isList = subject != .summary && !(what == "session")
        try refuse("status", status, allowed: isSessions)
        try refuse("user", user, allowed: isSessions || subject == .alerts)
        try refuse("org", org, allowed: isSessions)
        try refuse("project", project, allowed: isSessions)
        try refuse("since", since, allowed: isSessions || subject == .timeline || subject == .alerts)
        try refuse("until", until, allowed: isSessions || subject == .timeline || subject == .alerts)
        try refuse("sort", sort, allowed: isSessions)
        try refuse("limit", limit, allowed: isList)
        try refuse("offset", offset, allowed: isList)
        try refuse("by", by, allowed: what == "users")
        try refuse("bucket", bucket, allowed: subject == .timeline)
        try refuse("kind", kind, allowed: subject == .alerts)

        if let status {
            let upper = status.uppercased()
            guard Self.statuses.contains(upper) else {
                throw bad("--status must be one of \(Self.statuses.joined(separator: ", ")), not '\(status)'")
            }
            self.status = upper
        }
        userID = user
        orgID = org
        projectID = project
        if let since {
            guard let ms = Timestamp.parse(since) else { throw bad("--since '\(since)' is neither RFC 3339 nor epoch milliseconds") }
            self.since = ms
        }
        if let until {
            guard let ms = Timestamp.parse(until) else { throw bad("--until '\(until)' is neither RFC 3339 nor epoch milliseconds") }
            self.until = ms
        }
        if let sort {
            guard let order = SessionSort(rawValue: sort) else {
                throw bad("--sort must be one of \(SessionSort.allCases.map(\.rawValue).joined(separator: ", ")), not '\(sort)'")
            }
            self.sort = order
        }
        if let limit, limit < 0 { throw bad("--limit must be 0 (no limit) or more, not \(limit)") }
        self.limit = limit
        if let offset, offset < 0 { throw bad("--offset must be 0 or more, not \(offset)") }
        self.offset = offset ?? 0
        if let bucket {
            guard let ms = Self.buckets[bucket] else { throw bad("--bucket must be 1m, 5m, 1h or 1d, not '\(bucket)'") }
            bucketMs = ms
        }
        if let kind {
            guard let alertKind = AlertView.Kind(rawValue: kind) else {
                throw bad("--kind must be one of \(AlertView.Kind.allCases.map(\.rawValue).joined(separator: ", ")), not '\(kind)'")
            }
            self.alertKind = alertKind
        }
    }

    /// The SQL `LIMIT` value: -1 is none.
    var sqlLimit: Int64 {
        let effective = limit ?? (subject == .sessions ? 50 : 0)
        return effective == 0 ? -1 : Int64(effective)
    }
}
