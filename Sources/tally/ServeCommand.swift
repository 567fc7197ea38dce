import ArgumentParser
import Logging
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
