/// Where a consumer is in a whole spool: one ``SpoolPosition`` per writer.
///
/// Every writer (``SegmentID/producer`` + ``SegmentID/writer``) is an ordered stream of
/// segments; the cursor holds, per stream, the segment and byte offset up to which
/// frames were consumed. Checkpoint it (it is `Codable`) and pass it back to resume.
///
/// ```swift
/// var cursor = SpoolCursor()
/// try SpoolReader(directory: "spool").readNew(from: &cursor) { event in … }
/// cursor.hasConsumed(segment.id)              // every frame of it read: safe to delete
/// cursor.resumeOffset(in: segment.id)         // where its unread frames start, nil if none
/// ```
///
/// Encoded as `{"positions":{"<producer>.<writer>":{"offset":…,"segment":"…"}}}`; snapshot
/// manifests persist it, so that encoding does not change.
public struct SpoolCursor: Sendable, Hashable, Codable {
    /// Keyed by ``streamKey(of:)``.
    public var positions: [String: SpoolPosition]

    public init(positions: [String: SpoolPosition] = [:]) {
        self.positions = positions
    }

    /// The key of a segment's writer stream in ``positions``: `"<producer>.<writer>"`.
    public static func streamKey(of id: SegmentID) -> String { id.producer + "." + id.writer }

    /// The position in the writer stream of `id`; `nil` when nothing of that stream was read.
    public func position(inStreamOf id: SegmentID) -> SpoolPosition? {
        positions[Self.streamKey(of: id)]
    }

    /// Where reading segment `id` resumes: 0 for a segment not started, the offset after its last
    /// consumed frame for the one in progress, `nil` when every frame of it is consumed.
    public func resumeOffset(in id: SegmentID) -> Int64? {
        guard let position = position(inStreamOf: id) else { return 0 }
        return position.resumeOffset(in: id)
    }

    /// Whether every frame of segment `id` is consumed (it was read to its end).
    public func hasConsumed(_ id: SegmentID) -> Bool {
        resumeOffset(in: id) == nil
    }

    /// Forgets the writer streams whose position is finished and which have no segment among
    /// `segments` (the spool's listing): their files were all consumed and deleted. A stream of
    /// which a segment is still listed, or one still being read, is kept.
    public mutating func forgetFinishedStreams(absentFrom segments: some Sequence<SegmentID>) {
        let present = Set(segments.map(Self.streamKey(of:)))
        for (key, position) in positions where position.isFinished && !present.contains(key) {
            positions[key] = nil
        }
    }
}
