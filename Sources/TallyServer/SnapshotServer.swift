import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// `tally serve`: the dashboard, the JSON API, live updates and `/metrics` over one snapshot
/// directory (shared/spec/http.md), read-only.
///
/// ```swift
/// let settings = try ServerSettings(snapshot: "/var/lib/tally/snapshots")
/// let server = SnapshotServer(settings: settings, answering: cliQueries, logger: logger)
/// try await server.runUntilSignalled()     // SIGTERM/SIGINT: stop accepting, end streams, drain
/// ```
///
/// Every answer comes from `answering` (the command line's `tally query`), run on a small pool of
/// worker threads against the newest complete snapshot at the moment of the request.
package struct SnapshotServer: Sendable {
    package let settings: ServerSettings
    let answering: any QueryAnswering
    let logger: Logger
    /// Called once the server listens, with its port (the real one for `--listen …:0`).
    let onListening: @Sendable (Int) async -> Void

    package init(
        settings: ServerSettings, answering: any QueryAnswering, logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.settings = settings
        self.answering = answering
        self.logger = logger
        self.onListening = onListening
    }

    /// Serves until SIGTERM or SIGINT, then shuts down gracefully: live streams end, requests in
    /// flight finish, and `run` returns.
    package func runUntilSignalled() async throws {
        // Answers run here, never on an event loop. More threads than cores: a thread may wait
        // (up to `AnswerPipe.stallTimeout`) for a slow client to take its answer.
        let pool = NIOThreadPool(numberOfThreads: 16)
        pool.start()
        let answers = Answers(answering: answering, snapshot: settings.snapshot, pool: pool)
        let broadcaster = try SnapshotBroadcaster(answers: answers, snapshot: settings.snapshot)
        let router = Routes(answers: answers, broadcaster: broadcaster, tokens: settings.tokens).router()
        let onListening = onListening, logger = logger, listen = settings.listen
        let application = Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: .milliseconds(settings.idleTimeoutMs))),
            configuration: ApplicationConfiguration(
                address: .hostname(settings.listen.host, port: settings.listen.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? listen.port
                logger.info("tally serve: listening on http://\(ListenAddress(host: listen.host, port: port))/")
                await onListening(port)
            },
            logger: logger)
        // Shut down in reverse: the broadcaster first (ending the streams), then the server.
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [
                .init(service: application),
                .init(service: broadcaster),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        do {
            try await group.run()
            try await pool.shutdownGracefully()
        } catch {
            try? await pool.shutdownGracefully()
            throw ServerError(code: .failed, message: "tally serve on \(settings.listen): \(error)")
        }
    }
}
