import TallySnapshot
import TallySpool

/// The consumer's checkpoint as a snapshot records it (`positions` in the manifest): the
/// ``SpoolCursor`` up to which frames are folded into that snapshot, as
/// ``SnapshotPositions/streams(_:)``. It is committed with the snapshot in one atomic step (the
/// manifest rename), so a snapshot's aggregates and its positions always agree.
///
/// ```json
/// {"positions":{"api.20251023T143000_123456Z-4242-9f3a1c2b":{"offset":-1,"segment":"api.20251023T143000_123456Z-4242-9f3a1c2b.00000003.zst"}}}
/// ```
///
/// The cursor's encoding (stream keys, offsets, a finished segment) is TallySpool's: see
/// ``SpoolCursor`` and ``SpoolPosition``.
enum Checkpoint {
    static func positions(_ cursor: SpoolCursor) -> SnapshotPositions {
        .streams(cursor.positions.mapValues { .init(segment: $0.segment.fileName, offset: $0.offset) })
    }

    /// The cursor in a snapshot's positions; `nil` when they are not a spool cursor (a
    /// snapshot written by `tally replay`, say).
    ///
    /// A snapshot of `tally replay` over spool segments only (no other files) is a cursor too: per
    /// writer stream, its newest segment replayed, at the bytes folded of it (the recovery path of
    /// a lost `sessions.db`: replay the spool's retained segments into a new directory and run on).
    static func cursor(from positions: SnapshotPositions?) -> SpoolCursor? {
        if case .files(let segments, let files)? = positions {
            guard files.isEmpty else { return nil }
            var cursor = SpoolCursor()
            for (name, offset) in segments {
                guard let segment = SegmentID(fileName: name) else { return nil }
                let key = SpoolCursor.streamKey(of: segment)
                if let known = cursor.positions[key], known.segment.sequence > segment.sequence { continue }
                cursor.positions[key] = SpoolPosition(segment: segment, offset: offset)
            }
            return cursor
        }
        guard case .streams(let streams)? = positions else { return nil }
        var cursor = SpoolCursor()
        for (key, stream) in streams {
            guard let segment = SegmentID(fileName: stream.segment) else { return nil }
            cursor.positions[key] = SpoolPosition(segment: segment, offset: stream.offset)
        }
        return cursor
    }

    /// The cursors of the complete snapshots kept in `directory` up to `generation`, oldest
    /// first (`nil` for a manifest whose positions are not a cursor); the names are
    /// ``SnapshotDirectory``'s.
    static func keptCursors(in directory: String, upTo generation: Int64) -> [(generation: Int64, cursor: SpoolCursor?)] {
        SnapshotDirectory(directory).keptPositions(upTo: generation).map { ($0.generation, cursor(from: $0.positions)) }
    }
}
