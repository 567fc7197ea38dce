import ArgumentParser
import Glibc
import TallySnapshot

/// `tally query --snapshot DIR WHAT [ID] [filters] [--format …]`: reads a snapshot.
/// Exit codes: 2 bad usage, 3 unknown session, 4 no usable snapshot, 1 anything else.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Read a snapshot: summary, sessions, session ID, tools, models, users, timeline, alerts, invalid, errors, events, search TEXT.",
        discussion: """
            DIR is a snapshot directory (its newest complete snapshot is read) or one snapshot-<generation>.json.
            Times are RFC 3339 UTC with milliseconds, durations milliseconds, money USD. The table format fits
            80 columns and shows a selection of fields; json, ndjson and csv carry every field.
            """
    )

    @Option(name: .long, help: ArgumentHelp("Snapshot directory or manifest file.", valueName: "DIR"))
    var snapshot: String

    @Argument(help: "summary | sessions | session | tools | models | users | timeline | alerts | invalid | errors | events | search")
    var what: String

    @Argument(help: "The session id, for 'session'; the text, for 'search'.")
    var id: String?

    @Option(help: "events (required), search: only this session's events.")
    var session: String?

    @Option(help: "events, search: only events of these types (comma-separated: message,llm_call,…).")
    var type: String?

    @Option(help: "sessions: ACTIVE, COMPLETED, FAILED, CANCELLED or TIMEOUT.")
    var status: String?

    @Option(help: "sessions, alerts: only this user_id.")
    var user: String?

    @Option(help: "sessions: only this org_id.")
    var org: String?

    @Option(help: "sessions: only this project_id.")
    var project: String?

    @Option(help: "sessions (started_at), timeline, alerts: at or after this time (RFC 3339 or epoch ms).")
    var since: String?

    @Option(help: "… and before this time.")
    var until: String?

    @Option(help: "sessions: cost | tokens | duration | started | last_activity (descending; default started).")
    var sort: String?

    @Option(help: "Rows to print; 0 is no limit (sessions and errors default 50, others all).")
    var limit: Int?

    @Option(help: "Rows to skip.")
    var offset: Int?

    @Option(help: "users: user | org | project | persona.")
    var by: String?

    @Option(help: "timeline: 1m | 5m | 1h | 1d (default 1h).")
    var bucket: String?

    @Option(help: "alerts: slow_response | slow_tool | context_window | long_session | access_burst; errors: llm | tool | session.")
    var kind: String?

    @Option(help: "invalid: only this reason (wrong_type, out_of_range, …).")
    var reason: String?

    @Option(help: "invalid: only dead letters about this field (input_tokens, ts, …).")
    var field: String?

    @Option(help: "table | json | ndjson | csv (default: table on a terminal, json otherwise).")
    var format: String?

    func validate() throws {
        if QuerySubjectName(argument: what)?.readsEvents == true {
            _ = try eventsRequest()
            _ = try outputFormat()
            return
        }
        _ = try makeQuery()
        _ = try outputFormat()
    }

    func run() throws {
        if QuerySubjectName(argument: what)?.readsEvents == true { return try runEvents() }
        let query = try makeQuery()
        let format = try outputFormat() ?? (isatty(STDOUT_FILENO) != 0 ? .table : .json)
        var output = StandardOutput()
        // What was printed comes out before the error line, if any.
        defer { output.flush() }
        let reader = try SnapshotReader(path: snapshot)
        try reader.run(query, format: format) { output.append($0) }
    }
}
