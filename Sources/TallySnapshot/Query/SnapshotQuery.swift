import TallyCore

/// One query of a snapshot: a subject and the filters that apply to it (shared/spec/cli.md).
///
/// ```swift
/// let query = SnapshotQuery(.sessions, status: .failed, sort: .cost, limit: 10)
/// try SnapshotReader(path: dir).run(query, format: .json) { print($0, terminator: "") }
/// ```
///
/// A filter left `nil` is not applied (or takes the subject's default). ``validate()`` tells a
/// query whose filters do not apply to its subject; ``SnapshotReader`` runs only valid queries.
public struct SnapshotQuery: Sendable, Hashable {
    public enum Subject: Sendable, Hashable {
        case summary, sessions, session(String), tools, models, timeline, alerts, invalid
        /// 1.1: the error groups (`tally query errors`).
        case errors
        /// Sessions summed by user, org, project or persona (`tally query users`).
        case rollups(by: RollupKey)

        /// The subject's name in messages: `sessions`, `rollups`, …
        public var name: String {
            switch self {
            case .summary: "summary"
            case .sessions: "sessions"
            case .session: "session"
            case .tools: "tools"
            case .models: "models"
            case .timeline: "timeline"
            case .alerts: "alerts"
            case .invalid: "invalid"
            case .errors: "errors"
            case .rollups: "rollups"
            }
        }
    }

    public var subject: Subject
    /// `sessions`: only sessions with this status at the snapshot's watermark.
    public var status: SessionStatus?
    /// `sessions`, `alerts`: only this `user_id`.
    public var userID: String?
    /// `sessions`: only this `org_id`.
    public var orgID: String?
    /// `sessions`: only this `project_id`.
    public var projectID: String?
    /// `started_at` (sessions), `bucket_start` (timeline), `ts` (alerts) at or after, epoch ms.
    public var since: Int64?
    /// … and before, epoch ms.
    public var until: Int64?
    /// `sessions`: the order; `nil` is ``SessionSort/started``.
    public var sort: SessionSort?
    /// Lists: rows to return; `nil` is the subject's default (50 for sessions and errors, all otherwise), 0 no limit.
    public var limit: Int?
    /// Lists: rows to skip; `nil` is none.
    public var offset: Int?
    /// `timeline`: the bucket width; `nil` is ``BucketWidth/oneHour``.
    public var bucket: BucketWidth?
    /// `alerts`: only alerts of this kind.
    public var alertKind: AlertView.Kind?
    /// `invalid`: only dead letters of this reason (1.1).
    public var invalidReason: InvalidReason?
    /// `invalid`: only dead letters whose reason was about this field (1.1).
    public var invalidField: String?
    /// `errors`: only groups of this kind (1.1).
    public var errorKind: ErrorGroupView.Kind?

    public init(
        _ subject: Subject, status: SessionStatus? = nil, userID: String? = nil, orgID: String? = nil,
        projectID: String? = nil, since: Int64? = nil, until: Int64? = nil, sort: SessionSort? = nil,
        limit: Int? = nil, offset: Int? = nil, bucket: BucketWidth? = nil, alertKind: AlertView.Kind? = nil,
        invalidReason: InvalidReason? = nil, invalidField: String? = nil, errorKind: ErrorGroupView.Kind? = nil
    ) {
        self.invalidReason = invalidReason
        self.invalidField = invalidField
        self.errorKind = errorKind
        self.subject = subject
        self.status = status
        self.userID = userID
        self.orgID = orgID
        self.projectID = projectID
        self.since = since
        self.until = until
        self.sort = sort
        self.limit = limit
        self.offset = offset
        self.bucket = bucket
        self.alertKind = alertKind
    }

    /// The order of `sessions`, default applied.
    var order: SessionSort { sort ?? .started }

    /// Rows to skip, default applied.
    var skipped: Int { offset ?? 0 }

    /// The bucket width in milliseconds, default applied.
    var bucketMs: Int64 { (bucket ?? .oneHour).milliseconds }

    /// The SQL `LIMIT` value: -1 is none.
    var sqlLimit: Int64 {
        let effective = limit ?? (subject == .sessions || subject == .errors ? 50 : 0)
        return effective == 0 ? -1 : Int64(effective)
    }
}
