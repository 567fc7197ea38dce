internal import TallyPosix
import TallyCore
import TallySnapshot
import TallySpool

/// The end of a replay: the dead letters in file order, then the snapshot. Each shard applies
/// retention at the watermark of all of them and takes its changes, in parallel (`ShardChanges`);
/// the snapshot writer puts those changes into SQLite on another thread while the shards are merged
/// into one fold on this one (exact for a split by session), and writes the merged fold's views.
///
/// ```swift
/// let written = try ShardMerge(settings: settings, output: "/tmp/replayed").write(&pass, damage: 0, with: writer)
/// print(written.snapshot.manifestPath)
/// ```
struct ShardMerge {
    /// What a replay wrote.
    struct Written {
        var snapshot: SnapshotInfo
        /// The merged fold, with every session of the inputs.
        var fold: FoldState
        var deadLetterFile: String?
    }

    let settings: PipelineSettings
    /// The snapshot directory; dead letters go to its `dead-letter/`.
    let output: String

    /// Writes the dead letters and the snapshot of `pass` (whose shards it takes). `damage`: the
    /// damaged frames and torn tails, for the snapshot's health.
    func write(_ pass: inout FoldPass, damage: Int, with writer: SnapshotWriter) throws -> Written {
        let deadLetterFile = try writeDeadLetters(
            pass.deadLetterChunks, to: writer.deadLetters(in: output + "/dead-letter"), generation: writer.nextGeneration)
        let metadata = SnapshotMetadata(
            positions: pass.positions.recorded, settings: settings.canonicalValue(),
            health: Health.replay(damage: damage),
            deadLetterDirectory: "dead-letter")
        var changes = ShardChanges(settling: pass.takeParts())
        let invalid = pass.invalid
        let (info, fold) = try writer.write(
            partChanges: changes.changes, watermark: changes.watermark,
            inactivityTimeoutMs: settings.fold.inactivityTimeoutMs,
            merging: { Self.merge(&changes, invalid: invalid) },
            metadata: metadata)
        return Written(snapshot: info, fold: fold, deadLetterFile: deadLetterFile)
    }

    /// Writes the dead letters in file order, all in one file of the snapshot's generation; `nil`
    /// (and no file) when there are none.
    private func writeDeadLetters(
        _ chunks: [DeadLetterChunk], to files: SnapshotDirectory.DeadLetters, generation: Int64
    ) throws -> String? {
        var chunks = chunks
        chunks.sort { ($0.unit, $0.sequence) < ($1.unit, $1.sequence) }
        let deadLetters = chunks.flatMap(\.records)
        guard !deadLetters.isEmpty else { return nil }
        try files.create()
        let path = files.path(generation: generation)
        try FileOperations.writeAtomically(deadLetters, to: path, mode: SnapshotDirectory.filePermissions)
        return path
    }

    /// The merged fold, with the invalid lines counted (`invalid`: by the position of their reason
    /// in `InvalidReason.allCases`).
    private static func merge(_ changes: inout ShardChanges, invalid: [Int64]) -> FoldState {
        var fold = changes.merged()
        for (position, reason) in InvalidReason.allCases.enumerated() {
            for _ in 0..<invalid[position] { fold.recordInvalid(reason) }
        }
        return fold
    }
}
