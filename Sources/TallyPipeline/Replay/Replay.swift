import TallyCore
import TallySnapshot

/// Batch reprocessing: folds every event of some files into one snapshot, the same
/// snapshot `tally run` would write from the same events.
///
/// ```swift
/// let report = try Replay.run(settings: settings, inputs: ["old-spool/"], output: "/tmp/replayed")
/// print(report.snapshot.manifestPath)
/// ```
///
/// Decoding (read, decompress, parse, validate) runs on `workers` threads (`DecodeWorker`), each
/// taking units of about 1 MiB of compressed input in turn (runs of whole zstd frames; see
/// `ReplayPlan` and `ReplayUnit`), so the threads finish together (within a few milliseconds) however
/// the file sizes split. The fold is split into one shard per thread by `session_id` (`FoldShards`;
/// a retry keeps its session, so `event_id` duplicates always meet in the same shard and are found
/// exactly whatever file they are in); a decode thread folds each batch into the shards itself, taking
/// a shard's lock once per batch, never per event, and leaving a busy shard's part of the batch for
/// later instead of waiting for it (`FoldBacklog`). The rest of each batch goes to the collecting
/// thread (`BatchCollector`). At the end each shard takes its changes (in parallel), and the shards
/// are merged (exact for a split by session) while the snapshot writer puts those changes into SQLite
/// on another thread (`ShardMerge`). Damaged frames and torn tails are reported and skipped, once each
/// and in file order, after the files are read.
///
/// Session retention is suspended while folding and applied once at the end (by each shard, at the
/// watermark of all of them): files are read in
/// parallel and out of time order, so a running retention would drop a session that later-read
/// files still add to (and count it twice). The result is the same for every read order and
/// worker count; every session of the inputs is held in memory until the end.
package enum Replay {
    /// Where a running replay is; given to the progress callback about ten times a second.
    package struct Progress: Sendable {
        package var bytesRead: Int64
        package var bytesTotal: Int64
        /// Valid events decoded and folded so far (duplicates included).
        package var events: Int64
        package var elapsed: Duration
    }

    /// What a finished replay did.
    package struct Report: Sendable {
        package var files: Int
        package var bytes: Int64
        package var lines: Int64
        package var summary: SummaryView
        /// One line per damaged frame or torn tail, with file and byte offset.
        package var damage: [String]
        /// Files inside the given directories that are neither segments, `.zst` nor `.ndjson`.
        package var skipped: [String]
        package var deadLetterFile: String?
        package var snapshot: SnapshotInfo
        package var elapsed: Duration
        /// The fold the snapshot was written from: every view (`fold.tools()`, `fold.alerts()`, …)
        /// without opening the snapshot. It holds every session of the inputs.
        package var fold: FoldState
    }

    /// Replays `inputs` (files and directories) into a new snapshot in `output`, which must
    /// not hold snapshots yet. Dead-lettered lines go to `output/dead-letter/` (recorded in the
    /// manifest relative to the snapshot directory, so the directory can be moved).
    package static func run(
        settings: PipelineSettings, inputs paths: [String], output: String, workers: Int = 2,
        progress: ((Progress) -> Void)? = nil, warning: (String) -> Void = { _ in }
    ) throws -> Report {
        try run(
            settings: settings, inputs: paths, output: output, workers: workers, unitBytes: 1 << 20,
            progress: progress, warning: warning)
    }

    /// `run`, with units of about `unitBytes` of compressed input (tests use small ones).
    static func run(
        settings: PipelineSettings, inputs paths: [String], output: String, workers: Int, unitBytes: Int64,
        progress: ((Progress) -> Void)?, warning: (String) -> Void
    ) throws -> Report {
        let clock = ContinuousClock()
        let start = clock.now
        let plan = try ReplayPlan(paths: paths, unitBytes: unitBytes)
        for path in plan.skipped { warning("skipping \(path): not a segment, .zst or .ndjson file") }
        for text in plan.notRegular { warning("skipping \(text)") }
        let (writer, existing) = try SnapshotWriter.open(directory: output, keep: settings.snapshot.keep)
        if existing != nil { throw ReplayError.outputHoldsSnapshots(output) }

        var ticker = ProgressTicker(progress, start: start, bytesTotal: plan.bytesTotal)
        var pass = try FoldPass.exact(plan, settings: settings.fold, workers: workers, progress: &ticker, warning: warning)
        for note in pass.notes { warning(note.text) }
        let damage = pass.notes.filter(\.isDamage).map(\.text)

        let written = try ShardMerge(settings: settings, output: output).write(&pass, damage: damage.count, with: writer)
        return Report(
            files: plan.inputs.count, bytes: plan.bytesTotal, lines: pass.lines, summary: written.fold.summary(),
            damage: damage, skipped: plan.skipped, deadLetterFile: written.deadLetterFile, snapshot: written.snapshot,
            elapsed: clock.now - start, fold: written.fold)
    }
}
