internal import TallyPosix
import TallyCore

/// The shards of a replay's fold, settled: each applied retention and dedup forgetting at the
/// watermark of all of them and took its changes (session rows, states and contributions), so that
/// the snapshot writer can put those changes into SQLite while the shards are merged.
///
/// ```swift
/// var taken = ShardChanges(settling: shards.takeStates()!)
/// try writer.write(partChanges: taken.changes, watermark: taken.watermark, …, merging: { taken.merged() }, …)
/// ```
struct ShardChanges {
    /// Each shard's `takeChanges()`; no two name the same session.
    let changes: [FoldChanges]
    /// The watermark of all shards together, `nil` before any event.
    let watermark: Int64?
    private var parts: [FoldState]

    /// Settles the shards' states (`FoldShards.takeStates()`) in parallel, one thread per shard: what
    /// the merged fold would forget and drop goes before the merge, not after it. Pass the only
    /// reference to `parts`, so they are changed in place rather than copied first.
    init(settling parts: consuming [FoldState]) {
        let watermark = FoldState.watermark(ofMerged: parts)
        changes = mapConcurrently(&parts) { part in
            if let watermark {
                part.forgetEventIDs(behind: watermark)
                part.resumeRetention(watermark: watermark)
            } else {
                part.resumeRetention()
            }
            return part.takeChanges()
        }
        self.watermark = watermark
        self.parts = parts
    }

    /// The shards merged into one fold (exact for a split by session); the changes taken stay taken. Call once.
    mutating func merged() -> FoldState {
        // Moved out of the array, so the merge mutates it in place rather than a copy.
        var result = parts.removeFirst()
        // Each part leaves the array before it is merged, so it is freed once merged: the session
        // tables are not held twice (in the parts and in the result) until the last merge.
        while !parts.isEmpty { result.merge(parts.removeFirst()) }
        return result
    }
}
