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
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        let logger = Logger(label: "tally.serve")
        let server = SnapshotServer(settings: settings, answering: QueryCommandAnswering(), logger: logger)
        do {
            try await server.runUntilSignalled()
        } catch let error as ServerError {
            throw CommandFailure(error.code == .usage ? .badUsage : .failure, error.message)
        }
    }
}

/// Answers the server's questions with `tally query`: the request becomes its command line
/// (`--snapshot=DIR --format=json --FLAG=VALUE … -- SUBJECT WORDS…`), parsed and validated by
/// ``QueryCommand`` itself, so a bad parameter gets the command's own words and a new subject or
/// flag is served as soon as the command has it.
struct QueryCommandAnswering: QueryAnswering {
    func open(_ request: QueryRequest, snapshot: String) throws(QueryFailure) -> any QueryRun {
        let arguments = ["--snapshot=\(snapshot)", "--format=json"]
            + request.options.map { "--\($0.name)=\($0.value)" }
            + ["--", request.subject] + request.arguments
        let command: QueryCommand
        do {
            command = try QueryCommand.parse(arguments)
        } catch {
            let message = QueryCommand.message(for: error).split(separator: "\n").first.map(String.init) ?? "bad request"
            let line = message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message
            let unknownSubject = line.hasPrefix("unknown query subject")
            throw QueryFailure(unknownSubject ? .unknownSubject : .badRequest, line)
        }
        do {
            if QuerySubjectName(rawValue: command.what)?.readsEvents == true {
                return EventsCommandRun(request: try command.eventsRequest(), reader: try SnapshotReader(path: snapshot))
            }
            return QueryCommandRun(query: try command.makeQuery(), reader: try SnapshotReader(path: snapshot))
        } catch {
            throw Self.failure(error)
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

/// One parsed query over one open snapshot: `tally query --format json`'s output.
struct QueryCommandRun: QueryRun {
    let query: SnapshotQuery
    let reader: SnapshotReader

    var generation: Int64 { reader.generation }

    func write(_ sink: @escaping (String) -> Void) throws(QueryFailure) {
        do {
            try reader.run(query, format: .json, sink: sink)
        } catch {
            throw QueryCommandAnswering.failure(error)
        }
    }
}

/// `tally query events` or `search` over one open snapshot: the same rows as `--format json`.
/// What the read left out (files gone, damaged frames) is the CLI's standard-error note; the
/// server has no such channel, so the rows simply omit those events, as the CLI's do.
struct EventsCommandRun: QueryRun {
    let request: QueryCommand.EventsRequest
    let reader: SnapshotReader

    var generation: Int64 { reader.generation }

    func write(_ sink: @escaping (String) -> Void) throws(QueryFailure) {
        do {
            _ = try QueryCommand.writeEvents(request, reader: reader, format: .json, sink: sink)
        } catch {
            throw QueryCommandAnswering.failure(error)
        }
    }
}
