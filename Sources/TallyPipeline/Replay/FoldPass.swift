import TallyCore

/// Every unit of a plan folded once: the shards' states, and what the batches reported besides.
///
/// ```swift
/// var pass = try FoldPass.exact(plan, settings: settings.fold, workers: 2, progress: &ticker, warning: warn)
/// let changes = ShardChanges(settling: pass.takeParts())
/// ```
struct FoldPass {
    /// The shards' states (`FoldShards.takeStates()`), which can be merged exactly.
    private(set) var parts: [FoldState]
    /// Dead-lettered lines by the position of their reason in `InvalidReason.allCases`.
    var invalid: [Int64]
    /// Dead-lettered lines by the field their reason was about.
    var invalidFields: [String: Int64]
    /// Damage and other remarks, in input and offset order (`DamageNote.merged`).
    var notes: [DamageNote]
    /// In the order they came, not in file order.
    var deadLetterChunks: [DeadLetterChunk]
    var positions: Positions
    var lines: Int64

    /// Folds every unit of `plan` once, into shards that can be merged exactly: on up to `workers`
    /// threads, and again on one thread when copies of an `event_id` with different sessions went
    /// to two shards.
    static func exact(
        _ plan: ReplayPlan, settings: FoldSettings, workers: Int, progress: inout ProgressTicker,
        warning: (String) -> Void
    ) throws -> FoldPass {
        let threadCount = plan.threadCount(workers: workers)
        if let pass = try fold(plan, settings: settings, threads: threadCount, workers: workers, progress: &progress) {
            return pass
        }
        warning("copies of one event_id carry different session ids: folding again on one thread to fold each once")
        if let pass = try fold(plan, settings: settings, threads: 1, workers: workers, progress: &progress) { return pass }
        throw ReplayError.cannotFold(plan.paths)
    }

    /// One pass over every unit on `threadCount` threads (the queue to the collecting thread holds
    /// four batches per worker); `nil` when the shards cannot be merged exactly (copies of an
    /// `event_id` with different sessions folded in two shards).
    static func fold(
        _ plan: ReplayPlan, settings: FoldSettings, threads threadCount: Int, workers: Int,
        progress: inout ProgressTicker
    ) throws -> FoldPass? {
        let units = UnitDispenser(plan)
        let queue = BatchQueue<DecodedBatch>(capacity: 4 * max(1, workers))
        let shards = FoldShards(
            count: threadCount, settings: settings, expectedEvents: plan.expectedEvents,
            frameFiles: plan.inputs.map { PipelinePath.absolute($0.path) })
        for thread in 0..<threadCount {
            DecodeWorker.start(units: units, shards: shards, queue: queue, maxLineBytes: settings.maxLineBytes, thread: thread)
        }
        var collector = BatchCollector(inputs: plan.inputs)
        progress.restart()
        collector.collect(from: queue, threads: threadCount, progress: &progress)
        if let failure = collector.failure { throw failure }
        let notes = DamageNote.merged(collector.damageNotes)
        guard let parts = shards.takeStates() else { return nil }
        return FoldPass(
            parts: parts, invalid: collector.invalid, invalidFields: collector.invalidFields, notes: notes, deadLetterChunks: collector.deadLetterChunks,
            positions: collector.positions, lines: collector.lines)
    }

    /// The shards' states, taken out of the pass: the only reference to them, so that they are
    /// settled and merged in place (`ShardChanges`) instead of copied first.
    mutating func takeParts() -> [FoldState] {
        var taken: [FoldState] = []
        swap(&taken, &parts)
        return taken
    }
}
