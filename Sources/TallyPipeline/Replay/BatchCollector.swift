import TallyCore

/// The collecting side of a fold pass: takes every batch the decode threads send (in whatever order
/// they come) and adds up what the shards do not hold: dead letters with their place in file order,
/// damage notes, read positions, line counts and the first failure.
///
/// ```swift
/// var collector = BatchCollector(inputs: plan.inputs)
/// collector.collect(from: queue, threads: threadCount, progress: &ticker)   // until every thread is done
/// if let failure = collector.failure { throw failure }
/// ```
struct BatchCollector {
    private let inputs: [ReplayInput]
    /// Dead-lettered lines by the position of their reason in `InvalidReason.allCases`.
    private(set) var invalid = Array(repeating: Int64(0), count: InvalidReason.allCases.count)
    /// Dead-lettered lines by the field their reason was about.
    private(set) var invalidFields: [String: Int64] = [:]
    /// In the order they came, not in file order.
    private(set) var deadLetterChunks: [DeadLetterChunk] = []
    private(set) var damageNotes: [DamageNote] = []
    private(set) var positions = Positions()
    private(set) var bytesRead: Int64 = 0
    private(set) var lines: Int64 = 0
    /// Valid events folded, duplicates included.
    private(set) var folded: Int64 = 0
    /// The first error a decode thread met; its later batches are dropped.
    private(set) var failure: (any Error)?

    init(inputs: [ReplayInput]) {
        self.inputs = inputs
    }

    /// Takes batches from `queue` until each of the `threads` decode threads sent its last one.
    mutating func collect(from queue: BatchQueue<DecodedBatch>, threads: Int, progress: inout ProgressTicker) {
        var running = threads
        while running > 0 {
            let batch = queue.pop()
            if batch.finished {
                running -= 1
                continue
            }
            if let error = batch.failure {
                if failure == nil { failure = error }
                continue
            }
            for line in batch.invalid {
                invalid[InvalidReason.allCases.firstIndex(of: line.reason)!] += 1
                if let field = line.field { invalidFields[field, default: 0] += 1 }
            }
            if !batch.deadLetters.isEmpty {
                deadLetterChunks.append(DeadLetterChunk(unit: batch.unit, sequence: batch.sequence, records: batch.deadLetters))
            }
            damageNotes.append(contentsOf: batch.damage)
            if let end = batch.end { positions.record(inputs[end.input], offset: end.offset) }
            bytesRead += batch.bytes
            lines += batch.lines
            folded += batch.folded
            progress.tick(bytesRead: bytesRead, events: folded)
        }
    }
}
