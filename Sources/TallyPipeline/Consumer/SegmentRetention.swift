internal import TallyPosix
import TallySpool

/// Which spool files the consumer may delete: `retention.segments` in the pipeline file.
///
/// A segment goes when it is finished (read to its end) in the positions of the **oldest**
/// snapshot still kept, so every kept snapshot can still be resumed from; when every other
/// consumer of the spool whose registration (``ConsumerRegistration``) was updated within
/// `retention.segments` has folded it too; and when its file was last modified more than
/// `retention.segments` ago. A sealed `.zst` file, or an abandoned `.zst.open` file (no writer
/// holds its lock); never a segment not yet folded, never one still written. A registration
/// that cannot be read holds every segment back while it is recent.
enum SegmentRetention {
    /// What the other consumers of the spool hold back.
    struct Others {
        /// The cursors of the other consumers registered within the retention time.
        var cursors: [SpoolCursor] = []
        /// Recent registrations that cannot be read (each holds every segment back).
        var unreadable: [String] = []
    }

    /// The registrations in `found` other than `consumer`'s that still hold segments back: those
    /// updated within `retentionMs` of `nowMs`.
    static func others(_ found: [ConsumerRegistration.Found], except consumer: String, retentionMs: Int64, nowMs: Int64) -> Others {
        var others = Others()
        for entry in found {
            switch entry {
            case .registered(let registration):
                guard registration.consumer != consumer, nowMs - registration.updatedAtMs <= retentionMs else { continue }
                others.cursors.append(registration.cursor)
            case .unreadable(let name, let modifiedAtMs, let reason):
                guard nowMs - modifiedAtMs <= retentionMs else { continue }
                others.unreadable.append("\(name) (\(reason))")
            }
        }
        return others
    }

    /// The segments of `listing` that may be deleted now: finished in `oldestKept` and in every
    /// cursor of `others`, older than `retentionMs` (by modification time, epoch ms `nowMs`), and
    /// sealed or abandoned.
    static func deletable(
        _ listing: [Spool.Segment], oldestKept: SpoolCursor, others: Others = Others(), retentionMs: Int64, nowMs: Int64
    ) -> [Spool.Segment] {
        guard others.unreadable.isEmpty else { return [] }
        return listing.filter { segment in
            guard oldestKept.hasConsumed(segment.id), others.cursors.allSatisfy({ $0.hasConsumed(segment.id) }),
                let entry = try? Posix.lstat(segment.path), nowMs - entry.modifiedAt > retentionMs
            else { return false }
            if segment.isSealed { return true }
            guard let reader = try? SegmentReader(path: segment.path, followSymlinks: false) else { return false }
            return (try? reader.probe()) == .abandoned
        }
    }
}
