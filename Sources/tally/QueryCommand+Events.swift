import ArgumentParser
import Glibc
import TallyCore
import TallyEvents
import TallySnapshot

/// `tally query events --session ID` and `tally query search TEXT`: events read back from the
/// spool through the snapshot's frame index (TallyEvents).
extension QueryCommand {
    enum EventsRequest {
        case events(session: String, types: Set<String>, limit: Int)
        case search(EventSearch)
    }

    /// The request the arguments ask for; a usage error in the flags' words.
    func eventsRequest() throws(ValidationError) -> EventsRequest {
        let isSearch = what == "search"
        let allowed: Set<String> = isSearch ? ["user", "since", "until", "limit"] : ["limit"]
        let given: [(String, Bool)] = [
            ("status", status != nil), ("user", user != nil), ("org", org != nil), ("project", project != nil),
            ("since", since != nil), ("until", until != nil), ("sort", sort != nil), ("limit", limit != nil),
            ("offset", offset != nil), ("by", by != nil), ("bucket", bucket != nil), ("kind", kind != nil),
        ]
        for (flag, isGiven) in given where isGiven && !allowed.contains(flag) {
            throw ValidationError("--\(flag) does not apply to '\(what)'")
        }
        if let limit, limit < 0 { throw ValidationError("--limit must be 0 (no limit) or more, not \(limit)") }
        var types: Set<String> = []
        if let type {
            let names = Event.Kind.allCases.map(\.name)
            for name in type.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
                guard names.contains(name) else {
                    throw ValidationError("--type must be one or more of \(names.joined(separator: ", ")), not '\(name)'")
                }
                types.insert(name)
            }
        }
        guard isSearch else {
            if let id { throw ValidationError("unexpected argument '\(id)' after 'events'; give the session with --session ID") }
            guard let session, !session.isEmpty else {
                throw ValidationError("'events' needs a session: tally query --snapshot DIR events --session ID")
            }
            return .events(session: session, types: types, limit: limit ?? 0)
        }
        guard let id else { throw ValidationError("'search' needs a text: tally query --snapshot DIR search TEXT") }
        guard !id.isEmpty else { throw ValidationError("the search text is empty; give the text to find") }
        if let session, session.isEmpty { throw ValidationError("--session needs a session id") }
        do {
            return .search(try EventSearch(
                text: id, sessionIDs: session.map { [$0] }, userID: user, types: types,
                since: try Self.time(since, flag: "since"), until: try Self.time(until, flag: "until"), limit: limit ?? 100))
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ValidationError("\(error)")
        }
    }

    func runEvents() throws {
        let request = try eventsRequest()
        let format = try outputFormat() ?? (isatty(STDOUT_FILENO) != 0 ? .table : .json)
        var output = StandardOutput()
        defer { output.flush() }
        let report = try Self.writeEvents(request, reader: try SnapshotReader(path: snapshot), format: format) { output.append($0) }
        output.flush()
        for line in Self.notes(report) { StandardError.line("tally query: " + line) }
    }

    /// Prints the rows `request` asks for in `format` to `sink` (the CLI's standard output, or
    /// `tally serve`'s answer); returns what the read reported.
    static func writeEvents(
        _ request: EventsRequest, reader: SnapshotReader, format: OutputFormat, stop: @escaping @Sendable () -> Bool = { false },
        sink: (String) -> Void
    ) throws -> EventReadReport {
        let report: EventReadReport
        var rows: EventOutput
        switch request {
        case .events(let session, let types, let limit):
            rows = EventOutput(format: format, withField: false)
            var begun = false   // an unknown session fails before anything is printed
            report = try SessionEvents.read(snapshot: reader, session: session, types: types, limit: limit) { row in
                if !begun { sink(rows.begin()); begun = true }
                sink(rows.row(row))
            }
            if !begun { sink(rows.begin()) }
        case .search(let search):
            rows = EventOutput(format: format, withField: true)
            sink(rows.begin())
            report = try search.run(snapshot: reader, threads: ProcessorCount.online, stop: stop) { sink(rows.row($0)) }
        }
        sink(rows.end())
        return report
    }

    /// What a read left out, one line each (the CLI prints them on standard error).
    static func notes(_ report: EventReadReport) -> [String] {
        var notes: [String] = []
        if report.missingEvents > 0 {
            let files = report.missingFiles.isEmpty ? "" : ": " + report.missingFiles.joined(separator: ", ")
            notes.append("\(report.missingEvents) events left out, their files no longer exist (retention or a moved input)\(files)")
        } else if !report.missingFiles.isEmpty {
            notes.append("files no longer exist, not searched: \(report.missingFiles.joined(separator: ", "))")
        }
        if report.damagedEvents > 0 {
            notes.append("\(report.damagedEvents) events left out, their frames cannot be read as they were folded")
        }
        return notes + report.damaged
    }
}
