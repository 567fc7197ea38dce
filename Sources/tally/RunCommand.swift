import ArgumentParser
import Logging
import TallyPipeline

/// `tally run --pipeline FILE [--once]`: the long-running consumer.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Tail the pipeline's spool, fold new events and write a snapshot every `snapshot.every`.",
        discussion: """
            Resumes from the newest complete snapshot: nothing is folded twice or lost across \
            restarts, kill -9 included. SIGINT or SIGTERM folds what is left, writes a last \
            snapshot and exits 0. One consumer per pipeline: a second one exits 2. Logs go to \
            standard error.
            """)

    @OptionGroup var options: PipelineOptions

    @Flag(help: "Fold what is in the spool now, write a snapshot and exit.")
    var once = false

    @Option(help: ArgumentHelp(
        "Threads that decode events while one thread reads and folds them (0: decode on that thread too).",
        discussion: "Default: one less than the processors online, at most 4."))
    var workers: Int = min(4, ProcessorCount.online - 1)

    func run() async throws {
        if workers < 0 { throw ValidationError("--workers must be 0 or more") }
        let settings = try options.load()
        LoggingSystem.bootstrap(StandardError.logHandler)
        let logger = Logger(label: "tally.run")
        var consumerOptions = Consumer.Options()
        consumerOptions.once = once
        consumerOptions.workers = workers
        let consumer = try Consumer(settings: settings, options: consumerOptions, logger: logger)
        try await consumer.runUntilSignalled(logger: logger)
    }
}
