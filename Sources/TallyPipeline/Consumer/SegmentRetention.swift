internal import TallyPosix
import TallySpool

/// Which spool files the consumer may delete: `retention.segments` in the pipeline file.
///
/// A segment goes when it is finished (read to its end) in the positions of the **oldest**
/// snapshot still kept, so every kept snapshot can still be resumed from, and its file was last
/// modified more than `retention.segments` ago. A sealed `.zst` file, or an abandoned `.zst.open`
/// file (no writer holds its lock); never a segment not yet folded, never one still written.
enum SegmentRetention {
    /// The segments of `listing` that may be deleted now: finished in `oldestKept`, older than
    /// `retentionMs` (by modification time, epoch ms `nowMs`), and sealed or abandoned.
    static func deletable(_ listing: [Spool.Segment], oldestKept: SpoolCursor, retentionMs: Int64, nowMs: Int64) -> [Spool.Segment] {
        listing.filter { segment in
            guard oldestKept.hasConsumed(segment.id),
                let entry = try? Posix.lstat(segment.path), nowMs - entry.modifiedAt > retentionMs
            else { return false }
            if segment.isSealed { return true }
            guard let reader = try? SegmentReader(path: segment.path, followSymlinks: false) else { return false }
            return (try? reader.probe()) == .abandoned
        }
    }
}
