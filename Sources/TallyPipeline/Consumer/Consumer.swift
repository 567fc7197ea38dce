internal import TallyPosix
import Logging
import ServiceLifecycle
import Synchronization
import TallySpool

/// `tally run`: the long-running consumer of a pipeline. It tails every writer's segments in
/// the spool, folds new events and writes a snapshot every `snapshot.every`.
///
/// ```swift
/// let consumer = try Consumer(settings: try PipelineSettings.load(path: "Pipelines/default.yaml"), logger: logger)
/// let group = ServiceGroup(configuration: .init(
///     services: [consumer], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
/// try await group.run()      // SIGTERM: folds what is left, writes a last snapshot, returns
/// ```
///
/// - **Exactly once.** Each snapshot records the spool cursor its aggregates were folded up to
///   (the manifest's `positions`) and commits both in one step. A restarted consumer
///   resumes from the newest complete snapshot and reads exactly what came after it. Dead
///   letters of a generation are written (`dead-letter-<identity>-<generation>.ndjson`, named
///   by ``SnapshotDirectory``) before that generation commits; this consumer's files of
///   generations that never committed are removed at start.
/// - **Shared spools.** The spool's identity is recorded in each snapshot and a spool of another
///   identity is refused; each snapshot registers the consumer's position in the spool, and
///   retention deletes only what every recently registered consumer has folded.
/// - **Failing snapshots** (a full disk): no new frame is read until a snapshot commits again,
///   retried after 1 s, 2 s, … at most 60 s; dead letters past 1 MiB wait in their file.
/// - **Wake-up.** inotify on the spool (its parent while it does not exist), else polling every
///   `pollInterval`; a snapshot tick every `snapshot.every` in any case. Idle, it sleeps.
/// - **One per pipeline.** `init` takes the snapshot directory's lock (`writer.lock`, `flock`,
///   released when the process dies) and throws ``ConsumerError`` `.busy` if it is held.
/// - **Decode threads.** With `workers` > 0, frames read go in batches to that many threads
///   that decode them, and come back to the consumer thread, which folds them in the order it
///   read them; everything read in a round is folded before the round ends, so a snapshot's
///   cursor covers exactly what it folded. The fold is the one a single thread makes.
/// - **Memory** is bounded by the live fold (sessions until `retention.sessions`, `event_id`s
///   for two `dedup_window`s), one segment reader per writer stream while a round reads it,
///   at most 2 × `workers` batches of about 256 KiB of frames with their events, and at most
///   about 1 MiB of dead letters.
///
/// `run()` does the blocking work on a dedicated thread; graceful shutdown (or cancellation)
/// only sets a flag and wakes it. The thread heeds it before its next frame, in every state:
/// it never waits on a file (spool files are opened `O_NONBLOCK`, only regular ones are read),
/// and the drain that follows stops at ``Options/shutdownDrainLimit``, even within a round.
package final class Consumer: Service {
    /// How the consumer runs, besides the pipeline settings.
    package struct Options: Sendable {
        /// Fold what is in the spool now, write a snapshot and return.
        package var once = false
        /// Use inotify when available (else poll).
        package var useInotify = true
        /// How often to look at the spool when polling.
        package var pollInterval: Duration = .seconds(1)
        /// Frames of one writer read before the next writer gets its turn.
        package var maxFramesPerStream = 32
        /// On shutdown, fold what is left for at most this long before the last snapshot.
        package var shutdownDrainLimit: Duration = .seconds(10)
        /// Threads that decode frames while the consumer thread reads and folds (`DecodePool`);
        /// 0 decodes on the consumer thread.
        package var workers = 1

        package init() {}
    }

    private let engine: Mutex<ConsumerEngine?>
    private let stopSignal: StopSignal
    /// The snapshot generation the consumer resumed from (0: it started afresh).
    package let resumedGeneration: Int64

    /// Opens the pipeline's snapshot directory (taking its lock) and restores the newest
    /// complete snapshot. Throws ``ConsumerError`` (`.busy`, `.incompatible`) or the error
    /// that kept the snapshot from being read.
    package init(settings: PipelineSettings, options: Options = Options(), logger: Logger = Logger(label: "tally.run")) throws {
        let watcher = try SpoolWatcher(directory: settings.spool, pollInterval: options.pollInterval, useInotify: options.useInotify)
        let engine = try ConsumerEngine(settings: settings, options: options, logger: logger)
        resumedGeneration = engine.resumedGeneration
        stopSignal = StopSignal(watcher: watcher)
        self.engine = Mutex(engine)
    }

    /// Runs until graceful shutdown or cancellation (or, with `once`, until caught up), then
    /// folds what is left and writes a last snapshot. Runs once.
    package func run() async throws {
        // The consumer thread holds the only reference to the engine and drops it before `run()`
        // returns, so the snapshot directory's lock is free by then (a next `run --once` may start).
        let running = Mutex<ConsumerEngine?>(nil)
        let taken = engine.withLock { engine -> Bool in
            guard engine != nil else { return false }
            running.withLock { $0 = engine.take() }
            return true
        }
        guard taken else {
            throw ConsumerError(code: .io, message: "this consumer has already run")
        }
        let stop = stopSignal
        try await withTaskCancellationOrGracefulShutdownHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                Threads.detach {
                    let result = Result { () throws -> Void in try running.withLock { $0 }?.run(stop: stop) }
                    running.withLock { $0 = nil }
                    continuation.resume(with: result)
                }
            }
        } onCancelOrGracefulShutdown: {
            stop.request()
        }
    }

    /// Asks a running consumer to stop as graceful shutdown does (from any thread).
    package func stop() {
        stopSignal.request()
    }
}

extension Consumer {
    /// Runs the consumer in a `ServiceGroup` that shuts it down gracefully on SIGTERM and
    /// SIGINT; returns once it has written its last snapshot.
    package func runUntilSignalled(logger: Logger) async throws {
        // Returning from run() (with `once`, or after a graceful shutdown) ends the group normally.
        let service = ServiceGroupConfiguration.ServiceConfiguration(
            service: self, successTerminationBehavior: .gracefullyShutdownGroup, serviceName: "tally.run")
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
