import TallyServer
import TallySnapshot

/// Answers the server's questions with `tally query`: the request becomes its command line
/// (`--snapshot=DIR --format=json --FLAG=VALUE … -- SUBJECT WORDS…`), parsed and validated by
/// ``QueryCommand`` itself, so a bad parameter gets the command's own words and a new subject or
/// flag is served as soon as the command has it.
///
/// Each request lists the directory for its newest manifest (``ServeCache``): while that stays
/// the same, requests share the parsed queries, borrow open readers and get the kept answers of
/// the snapshot subjects (never `events`, `search` or `invalid`, which read files beside it).
struct QueryCommandAnswering: QueryAnswering {
    let cache = ServeCache()

    func open(_ request: QueryRequest, snapshot: String) throws(QueryFailure) -> any QueryRun {
        let mark = ServeCache.newest(in: snapshot)
        if let mark, let (generation, text) = cache.answer(request, snapshot: snapshot, mark: mark) {
            return KeptRun(generation: generation, text: text)
        }
        let query: SnapshotQuery
        do {
            if let parsed = cache.query(request, snapshot: snapshot) {
                query = parsed
            } else {
                let command = try Self.command(request, snapshot: snapshot)
                if QuerySubjectName(rawValue: command.what)?.readsEvents == true {
                    return EventsCommandRun(request: try command.eventsRequest(), lease: try cache.reader(snapshot: snapshot, mark: mark))
                }
                query = try command.makeQuery()
                cache.keep(query, for: request, snapshot: snapshot)
            }
            let lease = try cache.reader(snapshot: snapshot, mark: mark)
            let keeps = query.subject != .invalid
            return QueryCommandRun(query: query, lease: lease) { text, generation in
                if keeps, let mark = lease.mark { cache.keep(text, generation: generation, for: request, snapshot: snapshot, mark: mark) }
            }
        } catch let failure as QueryFailure {
            throw failure
        } catch {
            throw Self.failure(error)
        }
    }

    /// The request parsed as the command line, or the command's own words for what is wrong.
    static func command(_ request: QueryRequest, snapshot: String) throws(QueryFailure) -> QueryCommand {
        guard QuerySubjectName(rawValue: request.subject) != nil else {
            throw QueryFailure(.unknownSubject, QueryCommand.unknownSubjectMessage(request.subject))
        }
        let arguments = ["--snapshot=\(snapshot)", "--format=json"]
            + request.options.map { "--\($0.name)=\($0.value)" }
            + ["--", request.subject] + request.arguments
        do {
            return try QueryCommand.parse(arguments)
        } catch {
            let message = QueryCommand.message(for: error).split(separator: "\n").first.map(String.init) ?? "bad request"
            throw QueryFailure(.badRequest, message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message)
        }
    }

    /// The command line's own map (``ExitStatus``): exit 2 is 400, 3 is 404, 4 is 503, others 500.
    static func failure(_ error: any Error) -> QueryFailure {
        guard let (code, message) = ExitStatus.failure(for: error) else { return QueryFailure(.failed, "\(error)") }
        switch code {
        case .badUsage: return QueryFailure(.badRequest, message)
        case .notFound: return QueryFailure(.notFound, message)
        case .noUsableSnapshot: return QueryFailure(.noSnapshot, message)
        default: return QueryFailure(.failed, message)
        }
    }
}
