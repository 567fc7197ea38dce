import ArgumentParser

/// The subject of `tally query` as the command line names it: `users` is the rollups, by
/// `--by`; `session` takes the id that follows.
enum QuerySubjectName: String, CaseIterable, ExpressibleByArgument {
    case summary, sessions, session, tools, models, users, timeline, alerts, invalid, errors, events, search

    /// Read from the spool through the frame index (`QueryCommand+Events`), not from the snapshot's rows.
    var readsEvents: Bool { self == .events || self == .search }
}
