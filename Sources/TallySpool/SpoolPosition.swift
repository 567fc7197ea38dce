/// Where a consumer is in one writer's stream: a segment and a byte offset in it (a frame
/// boundary), or the segment as a whole once it is finished. ``SpoolCursor`` holds one per writer.
///
/// ```swift
/// let position = SpoolPosition(segment: id, offset: 4096)   // frames before byte 4096 consumed
/// let done = SpoolPosition.finished(id)                      // every frame of `id` consumed
/// done.isFinished                                            // true
/// ```
///
/// A snapshot manifest persists it (inside the cursor) as
/// `{"offset":4096,"segment":"api.W.00000003.zst"}`; a finished segment is stored with offset
/// `-1`. That encoding is part of the on-disk format and does not change.
public struct SpoolPosition: Hashable, Sendable, Codable {
    public var segment: SegmentID
    /// The byte offset after the last consumed frame, or `-1` when ``isFinished``.
    public var offset: Int64

    public init(segment: SegmentID, offset: Int64) {
        self.segment = segment
        self.offset = offset
    }

    /// The stored offset of a finished segment.
    static let finishedOffset: Int64 = -1

    /// `segment` read to its end (sealed, or abandoned by its writer): nothing of it is left to read.
    public static func finished(_ segment: SegmentID) -> SpoolPosition {
        SpoolPosition(segment: segment, offset: finishedOffset)
    }

    /// Whether every frame of ``segment`` is consumed.
    public var isFinished: Bool { offset < 0 }

    /// Where reading `id`, a segment of this position's writer stream, resumes: `nil` when all of
    /// it is behind this position, 0 for a segment after it, else the offset in ``segment``.
    public func resumeOffset(in id: SegmentID) -> Int64? {
        if id.sequence < segment.sequence { return nil }
        if id.sequence > segment.sequence { return 0 }
        return isFinished ? nil : offset
    }

    /// The first segment sequence of the stream still to read, and the offset in it.
    var next: (sequence: UInt64, offset: Int64) {
        isFinished ? (segment.sequence + 1, 0) : (segment.sequence, offset)
    }
}
