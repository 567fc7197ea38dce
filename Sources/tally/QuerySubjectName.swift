import ArgumentParser

/// The subject of `tally query` as the command line names it: `users` is the rollups, by
/// `--by`; `session` takes the id that follows.
enum QuerySubjectName: String, CaseIterable, ExpressibleByArgument {
    case summary, sessions, session, tools, models, users, timeline, alerts, invalid, errors
}
