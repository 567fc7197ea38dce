import ArgumentParser
import Logging
import TallySnapshot
import TallyServer

/// `tally serve --snapshot DIR [--listen HOST:PORT] [--token-file FILE]`: the dashboard, the JSON
/// API, live updates and `/metrics` (shared/spec/http.md). Every answer is `tally query`'s own:
/// ``QueryCommandAnswering`` parses each request as this command line and runs it.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the snapshots in DIR over HTTP: dashboard, JSON API, live updates, Prometheus metrics.",
        discussion: """
            Reads the newest complete snapshot for each request and never writes into DIR. Listens on \
            127.0.0.1:8088 unless told otherwise; any other address needs --token-file (bearer tokens, one a \
            line, the file readable by its owner only). SIGINT or SIGTERM ends live streams, finishes the \
            requests in flight and exits 0.
            """)

    @Option(help: ArgumentHelp("The snapshot directory (a pipeline's `snapshots`, or a replay's --out).", valueName: "DIR"))
    var snapshot: String

    @Option(help: ArgumentHelp("Address and port to listen on.", valueName: "HOST:PORT"))
    var listen = "127.0.0.1:8088"

    @Option(name: .customLong("token-file"), help: ArgumentHelp("Bearer tokens, one a line (owner-only file).", valueName: "FILE"))
    var tokenFile: String?

    func run() async throws {
        let settings: ServerSettings
        do {
            let address = try ListenAddress(parsing: listen)
            let tokens = try tokenFile.map { path throws(ServerError) in try TokenFile.read(path) } ?? []
            settings = try ServerSettings(snapshot: snapshot, listen: address, tokens: tokens)
        } catch {
            throw CommandFailure(.badUsage, error.message)
        }
        LoggingSystem.bootstrap(StandardError.logHandler)
        let logger = Logger(label: "tally.serve")
        let server = SnapshotServer(settings: settings, answering: QueryCommandAnswering(), logger: logger)
        try await server.runUntilSignalled()
    }
}

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

/// One parsed query over one open snapshot: `tally query --format json`'s output. A complete
/// answer of at most ``ServeCache/maxAnswerBytes`` goes to `kept` as well.
struct QueryCommandRun: QueryRun {
    let query: SnapshotQuery
    let lease: ReaderLease
    let kept: (_ text: String, _ generation: Int64) -> Void

    var generation: Int64 { lease.reader.generation }

    func write(_ sink: @escaping (String) throws -> Void, cancelled: @escaping @Sendable () -> Bool) throws(QueryFailure) {
        let text = TextUpTo(ServeCache.maxAnswerBytes)
        do {
            try lease.reader.run(query, format: .json) { piece in
                text.add(piece)
                try sink(piece)
            }
        } catch {
            throw QueryCommandAnswering.failure(error)
        }
        if let whole = text.value { kept(whole, generation) }
    }
}

/// An answer kept from an earlier request for the same snapshot.
struct KeptRun: QueryRun {
    let generation: Int64
    let text: String

    func write(_ sink: @escaping (String) throws -> Void, cancelled: @escaping @Sendable () -> Bool) throws(QueryFailure) {
        do { try sink(text) } catch { throw QueryCommandAnswering.failure(error) }
    }
}

/// The pieces of an answer joined, until they pass `limit` bytes (then `nil`).
private final class TextUpTo {
    private(set) var value: String? = ""
    private let limit: Int
    init(_ limit: Int) { self.limit = limit }

    func add(_ piece: String) {
        guard value != nil else { return }
        value! += piece
        if value!.utf8.count > limit { value = nil }
    }
}

/// `tally query events` or `search` over one open snapshot: the same rows as `--format json`.
/// What the read left out (files gone, damaged frames) is the CLI's standard-error note; the
/// server has no such channel, so the rows simply omit those events, as the CLI's do.
struct EventsCommandRun: QueryRun {
    let request: QueryCommand.EventsRequest
    let lease: ReaderLease

    var generation: Int64 { lease.reader.generation }

    func write(_ sink: @escaping (String) throws -> Void, cancelled: @escaping @Sendable () -> Bool) throws(QueryFailure) {
        do {
            // A search gathers its matches before it prints them: it asks `cancelled` as it scans.
            // Once the client is gone the rest of the rows go nowhere.
            _ = try QueryCommand.writeEvents(request, reader: lease.reader, format: .json, stop: cancelled) { try? sink($0) }
        } catch {
            throw QueryCommandAnswering.failure(error)
        }
    }
}
