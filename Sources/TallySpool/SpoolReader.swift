/// Follows every writer of a spool: reads new frames of each writer's segments in
/// that writer's order, from a ``SpoolCursor``.
///
/// ```swift
/// let reader = SpoolReader(directory: "spool")
/// var cursor = SpoolCursor()                      // or a checkpointed one
/// while running {
///     try reader.readNew(from: &cursor) { event in
///         if case .frame(_, let frame) = event {
///             try frame.forEachLine { line in fold(line) }
///         }
///     }
///     checkpoint(cursor)
///     sleep(1)
/// }
/// ```
///
/// Within one writer, lines come in the order the writer appended them; different
/// writers are read one after the other (in ``SegmentID`` order). A segment still being
/// written is read up to its last complete frame and picked up there on the next call;
/// that writer's later segments are not read before it is sealed.
public final class SpoolReader {
    public let spool: Spool

    /// What ``readNew(from:_:)`` reports, in order.
    public enum Event {
        /// A decoded frame of a segment; valid only inside the callback.
        case frame(SegmentID, SegmentReader.Frame)
        /// A damaged frame, skipped.
        case damaged(SegmentID, SegmentReader.Damage)
        /// The torn tail of an abandoned (or damaged sealed) segment, skipped.
        case tornTail(SegmentID, SegmentReader.TornTail)
    }

    /// Lines longer than this are cut when a frame is too large to be held whole (see ``SegmentReader``).
    public let maxLineBytes: Int

    public init(directory: String, maxLineBytes: Int = 1 << 20) {
        spool = Spool(directory: directory)
        self.maxLineBytes = maxLineBytes
    }

    /// Reads every frame not yet covered by `cursor`, advancing it after each event.
    /// If `body` throws, `cursor` stays just before the frame it was given.
    public func readNew(from cursor: inout SpoolCursor, _ body: (Event) throws -> Void) throws {
        try readNew(from: &cursor, maxFramesPerStream: .max, streamFailed: nil, body)
    }

    /// ``readNew(from:_:)`` with two controls for a long-running consumer:
    ///
    /// - `maxFramesPerStream`: after this many frames of one writer, go on to the next
    ///   writer; the rest is read by a later call, so one busy writer does not hold up the others.
    /// - `streamFailed`: when opening or reading a writer's segment fails (a ``SpoolError``:
    ///   an unreadable file, an I/O error), the error goes here, that writer's cursor stays after
    ///   its last event, and the other writers are still read. With `nil` the error is thrown.
    ///
    /// Errors thrown by `body` always end the read.
    ///
    /// ```swift
    /// try reader.readNew(from: &cursor, maxFramesPerStream: 32, streamFailed: { log($0) }) { event in … }
    /// ```
    public func readNew(
        from cursor: inout SpoolCursor, maxFramesPerStream: Int, streamFailed: ((SpoolError) -> Void)?,
        _ body: (Event) throws -> Void
    ) throws {
        let segments = try spool.segments()
        var bodyFailed = false
        let guarded: (Event) throws -> Void = { event in
            do { try body(event) } catch {
                bodyFailed = true
                throw error
            }
        }
        var index = 0
        while index < segments.count {
            let key = SpoolCursor.streamKey(of: segments[index].id)
            var end = index
            while end < segments.count && SpoolCursor.streamKey(of: segments[end].id) == key { end += 1 }
            do {
                try readStream(segments[index..<end], key: key, maxFrames: maxFramesPerStream, cursor: &cursor, guarded)
            } catch let error as SpoolError where !bodyFailed && streamFailed != nil {
                streamFailed?(error)
            }
            index = end
        }
    }

    private func openReader(_ id: SegmentID) throws(SpoolError) -> SegmentReader? {
        do throws(SpoolError) {
            return try spool.reader(for: id, maxLineBytes: maxLineBytes)
        } catch where error.errno == 2 || error.code == .notARegularFile {
            return nil   // gone, or a planted symlink or FIFO (which the listing reports): skipped
        }
    }

    /// Reads one writer's segments in sequence order from the cursor. Sequences are walked one
    /// by one (each writer numbers its segments 1, 2, 3, …): a segment missing from the listing
    /// is opened by its name anyway, since a writer may seal it (rename it) while the directory
    /// is being read, and a writer's next segment is never read before the one the cursor is in.
    func readStream(
        _ segments: ArraySlice<Spool.Segment>, key: String, maxFrames: Int, cursor: inout SpoolCursor,
        _ body: (Event) throws -> Void
    ) throws {
        guard let newest = segments.last?.id else { return }
        var listed: [UInt64: SegmentID] = [:]
        for segment in segments { listed[segment.id.sequence] = segment.id }
        var (sequence, offset) = cursor.positions[key]?.next ?? (1, 0)
        var framesLeft = maxFrames
        while sequence <= newest.sequence {
            defer {
                sequence += 1
                offset = 0
            }
            let id = listed[sequence] ?? SegmentID(producer: newest.producer, writer: newest.writer, sequence: sequence)
            guard let reader = try openReader(id) else { continue }   // gone under both names
            var latest: SpoolPosition? = nil   // the cursor, updated after each event
            var frames = 0
            let end: SegmentReader.End
            do {
                end = try reader.read(from: offset, maxFrames: framesLeft) { event in
                    switch event {
                    case .frame(let frame):
                        try body(.frame(id, frame))
                        latest = SpoolPosition(segment: id, offset: frame.endOffset)
                        frames += 1
                    case .damaged(let damage):
                        try body(.damaged(id, damage))
                        latest = SpoolPosition(segment: id, offset: damage.offset + damage.length)
                    }
                }
            } catch {
                if let latest { cursor.positions[key] = latest }
                throw error
            }
            framesLeft -= frames
            if end.state == .beingWritten || framesLeft <= 0 {
                // Still being written, or stopped at the frame budget: resume at end.offset.
                cursor.positions[key] = SpoolPosition(segment: id, offset: end.offset)
                return
            }
            if let torn = end.tornTail { try body(.tornTail(id, torn)) }
            cursor.positions[key] = .finished(id)
        }
    }
}
