import Testing

/// `tally query` turns its flags into a query in its own words: one line, exit 2, before any
/// snapshot is read (the directory here does not exist).
@Suite struct QueryUsageTests {
    func usage(_ arguments: [String]) throws -> String? {
        let outcome = try tally(["query", "--snapshot", "/nonexistent/tally-snapshots"] + arguments)
        guard outcome.status == 2, outcome.output.isEmpty, outcome.error.hasPrefix("tally: "),
              outcome.error.hasSuffix(" (see --help)\n")
        else { return "status \(outcome.status): \(outcome.error)" }
        return String(outcome.error.dropFirst(7).dropLast(14))
    }

    @Test func badQueriesSayWhatIsWrongInTheFlagsWords() throws {
        #expect(try usage(["everything"]) == "unknown query subject 'everything'; use one of summary, sessions, session, tools, models, users, timeline, alerts, invalid, errors, events, search")
        #expect(try usage(["session"]) == "'session' needs a session id: tally query --snapshot DIR session ID")
        #expect(try usage(["sessions", "x"]) == "unexpected argument 'x' after 'sessions'")
        #expect(try usage(["sessions", "--status", "DONE"]) == "--status must be one of ACTIVE, COMPLETED, FAILED, CANCELLED, TIMEOUT, not 'DONE'")
        #expect(try usage(["sessions", "--sort", "price"]) == "--sort must be one of cost, tokens, duration, started, last_activity, not 'price'")
        #expect(try usage(["sessions", "--since", "soon"]) == "--since 'soon' is neither RFC 3339 nor epoch milliseconds")
        #expect(try usage(["sessions", "--limit=-1"]) == "--limit must be 0 (no limit) or more, not -1")
        #expect(try usage(["sessions", "--offset=-1"]) == "--offset must be 0 or more, not -1")
        #expect(try usage(["tools", "--sort", "cost"]) == "--sort does not apply to 'tools'")
        #expect(try usage(["users", "--by", "team"]) == "--by must be user, org, project or persona, not 'team'")
        #expect(try usage(["sessions", "--by", "org"]) == "--by does not apply to 'sessions'")
        #expect(try usage(["timeline", "--bucket", "2h"]) == "--bucket must be 1m, 5m, 1h or 1d, not '2h'")
        #expect(try usage(["alerts", "--kind", "loud"]) == "--kind must be one of slow_response, slow_tool, context_window, long_session, access_burst, not 'loud'")
        #expect(try usage(["summary", "--limit", "3"]) == "--limit does not apply to 'summary'")
        #expect(try usage(["summary", "--format", "xml"]) == "--format must be table, json, ndjson or csv, not 'xml'")
    }

    @Test func aFilterThatDoesNotApplyIsToldBeforeItsValue() throws {
        #expect(try usage(["tools", "--sort", "price"]) == "--sort does not apply to 'tools'")
        #expect(try usage(["sessions", "--by", "team"]) == "--by does not apply to 'sessions'")
        #expect(try usage(["bogus", "--status", "DONE"]) == "unknown query subject 'bogus'; use one of summary, sessions, session, tools, models, users, timeline, alerts, invalid, errors, events, search")
        #expect(try usage(["sessions", "--status", "DONE", "--format", "xml"]) == "--status must be one of ACTIVE, COMPLETED, FAILED, CANCELLED, TIMEOUT, not 'DONE'")
    }

    @Test func statusesAreReadInAnyCase() throws {
        let outcome = try tally(["query", "--snapshot", "/nonexistent/tally-snapshots", "sessions", "--status", "failed"])
        #expect(outcome.status == 4)
        #expect(outcome.error == "tally query: no usable snapshot in /nonexistent/tally-snapshots: no such file or directory\n")
    }
}
