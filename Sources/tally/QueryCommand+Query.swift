import ArgumentParser
import TallyCore
import TallySnapshot

extension QueryCommand {
    /// What `tally query` says of a subject it does not know (`tally serve` answers it with 404).
    static func unknownSubjectMessage(_ subject: String) -> String {
        "unknown query subject '\(subject)'; use one of \(QuerySubjectName.allValueStrings.joined(separator: ", "))"
    }

    /// The query the arguments ask for. A usage error says what is wrong in the flags' words, in
    /// this order: the subject (and `--by`, the id of `session`), a filter that does not apply to
    /// the subject, then each filter's value.
    func makeQuery() throws(ValidationError) -> SnapshotQuery {
        guard let name = QuerySubjectName(argument: what) else { throw ValidationError(Self.unknownSubjectMessage(what)) }
        let subject: SnapshotQuery.Subject
        switch name {
        case .summary: subject = .summary
        case .sessions: subject = .sessions
        case .session:
            guard let id, !id.isEmpty else {
                throw ValidationError("'session' needs a session id: tally query --snapshot DIR session ID")
            }
            subject = .session(id)
        case .tools: subject = .tools
        case .models: subject = .models
        case .users:
            let key = by ?? "user"
            guard let rollup = RollupKey(argument: key) else {
                throw ValidationError("--by must be \(Self.alternatives(RollupKey.allValueStrings)), not '\(key)'")
            }
            subject = .rollups(by: rollup)
        case .timeline: subject = .timeline
        case .alerts: subject = .alerts
        case .invalid: subject = .invalid
        case .errors: subject = .errors
        case .events, .search:
            throw ValidationError("'\(what)' is answered from the spool (see eventsRequest()), not as a snapshot query")
        }
        if name != .session, let id { throw ValidationError("unexpected argument '\(id)' after '\(what)'") }
        if session != nil { throw ValidationError("--session does not apply to '\(what)'") }
        if type != nil { throw ValidationError("--type does not apply to '\(what)'") }

        // `--by` is part of the subject; the other filters apply as `SnapshotQuery` says.
        let filters: [(flag: String, isGiven: Bool, field: SnapshotQuery.Field?)] = [
            ("status", status != nil, .status), ("user", user != nil, .userID), ("org", org != nil, .orgID),
            ("project", project != nil, .projectID), ("since", since != nil, .since), ("until", until != nil, .until),
            ("sort", sort != nil, .sort), ("limit", limit != nil, .limit), ("offset", offset != nil, .offset),
            ("by", by != nil, nil), ("bucket", bucket != nil, .bucket),
            ("kind", kind != nil, name == .errors ? .errorKind : .alertKind),
            ("reason", reason != nil, .invalidReason), ("field", field != nil, .invalidField),
        ]
        for filter in filters where filter.isGiven {
            let applies = filter.field.map { $0.applies(to: subject) } ?? (name == .users)
            if !applies { throw ValidationError("--\(filter.flag) does not apply to '\(what)'") }
        }

        var query = SnapshotQuery(subject, userID: user, orgID: org, projectID: project, limit: limit, offset: offset)
        if let status {
            guard let value = SessionStatus(argument: status) else {
                throw ValidationError("--status must be one of \(SessionStatus.allValueStrings.joined(separator: ", ")), not '\(status)'")
            }
            query.status = value
        }
        query.since = try Self.time(since, flag: "since")
        query.until = try Self.time(until, flag: "until")
        if let sort {
            guard let value = SessionSort(argument: sort) else {
                throw ValidationError("--sort must be one of \(SessionSort.allValueStrings.joined(separator: ", ")), not '\(sort)'")
            }
            query.sort = value
        }
        if let limit, limit < 0 { throw ValidationError("--limit must be 0 (no limit) or more, not \(limit)") }
        if let offset, offset < 0 { throw ValidationError("--offset must be 0 or more, not \(offset)") }
        if let bucket {
            guard let value = BucketWidth(argument: bucket) else {
                throw ValidationError("--bucket must be \(Self.alternatives(BucketWidth.allValueStrings)), not '\(bucket)'")
            }
            query.bucket = value
        }
        if let kind, name == .errors {
            guard let value = ErrorGroupView.Kind(argument: kind) else {
                throw ValidationError("--kind must be \(Self.alternatives(ErrorGroupView.Kind.allValueStrings)), not '\(kind)'")
            }
            query.errorKind = value
        } else if let kind {
            guard let value = AlertView.Kind(argument: kind) else {
                throw ValidationError("--kind must be one of \(AlertView.Kind.allValueStrings.joined(separator: ", ")), not '\(kind)'")
            }
            query.alertKind = value
        }
        if let reason {
            guard let value = InvalidReason(argument: reason) else {
                throw ValidationError("--reason must be one of \(InvalidReason.allValueStrings.joined(separator: ", ")), not '\(reason)'")
            }
            query.invalidReason = value
        }
        query.invalidField = field
        // The checks above are the query's own, in the flags' words; this one holds them to it.
        do {
            try query.validate()
        } catch {
            throw ValidationError(error.message)
        }
        return query
    }

    /// `--format`, `nil` when not given.
    func outputFormat() throws(ValidationError) -> OutputFormat? {
        guard let format else { return nil }
        guard let value = OutputFormat(argument: format) else {
            throw ValidationError("--format must be \(Self.alternatives(OutputFormat.allValueStrings)), not '\(format)'")
        }
        return value
    }

    /// `--since` or `--until`: RFC 3339, epoch milliseconds or a date.
    static func time(_ text: String?, flag: String) throws(ValidationError) -> Int64? {
        guard let text else { return nil }
        guard let ms = Timestamp.parse(text) else {
            throw ValidationError("--\(flag) '\(text)' is neither RFC 3339 nor epoch milliseconds")
        }
        return ms
    }

    /// "a, b or c".
    private static func alternatives(_ words: [String]) -> String {
        words.count < 2 ? words.joined() : words.dropLast().joined(separator: ", ") + " or " + words.last!
    }
}
