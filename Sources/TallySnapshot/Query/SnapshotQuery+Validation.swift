extension SnapshotQuery {
    /// The filters of a query, named as its properties, in the order ``validate()`` checks them.
    public enum Field: String, Sendable, Hashable, CaseIterable {
        case status, userID, orgID, projectID, since, until, sort, limit, offset, bucket, alertKind
        case invalidReason, invalidField, errorKind

        /// Whether a query of `subject` may set this field.
        public func applies(to subject: Subject) -> Bool {
            switch self {
            case .status, .orgID, .projectID, .sort: subject == .sessions
            case .userID: subject == .sessions || subject == .alerts
            case .since, .until: subject == .sessions || subject == .timeline || subject == .alerts
            case .limit, .offset: subject.isList
            case .bucket: subject == .timeline
            case .alertKind: subject == .alerts
            case .invalidReason, .invalidField: subject == .invalid
            case .errorKind: subject == .errors
            }
        }
    }

    /// Whether `field` is set (not `nil`).
    public func isSet(_ field: Field) -> Bool {
        switch field {
        case .status: status != nil
        case .userID: userID != nil
        case .orgID: orgID != nil
        case .projectID: projectID != nil
        case .since: since != nil
        case .until: until != nil
        case .sort: sort != nil
        case .limit: limit != nil
        case .offset: offset != nil
        case .bucket: bucket != nil
        case .alertKind: alertKind != nil
        case .invalidReason: invalidReason != nil
        case .invalidField: invalidField != nil
        case .errorKind: errorKind != nil
        }
    }

    /// Throws a `.badQuery` error naming the first field that is wrong: one set for a subject it
    /// does not apply to, a negative `limit` or `offset`, or an empty session id.
    public func validate() throws(SnapshotError) {
        func bad(_ message: String) -> SnapshotError { SnapshotError(code: .badQuery, message: message) }
        if case .session(let id) = subject, id.isEmpty { throw bad("the session id is empty") }
        for field in Field.allCases where isSet(field) && !field.applies(to: subject) {
            throw bad("\(field.rawValue) does not apply to subject \(subject.name)")
        }
        if let limit, limit < 0 { throw bad("limit must be 0 (no limit) or more, not \(limit)") }
        if let offset, offset < 0 { throw bad("offset must be 0 or more, not \(offset)") }
    }
}

extension SnapshotQuery.Subject {
    /// Whether the subject answers with rows that `limit` and `offset` page through.
    public var isList: Bool {
        switch self {
        case .summary, .session: false
        case .sessions, .tools, .models, .timeline, .alerts, .invalid, .errors, .rollups: true
        }
    }
}
