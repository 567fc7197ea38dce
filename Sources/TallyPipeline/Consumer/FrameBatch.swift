import Dispatch
import TallyCore
import TallySnapshot

/// Frames of the spool on their way from the consumer thread, which reads them, through a decode
/// thread, back to the consumer thread, which folds what they decoded to (`DecodePool`).
///
/// The frames' content is copied out of the reader's buffer (which the next frame overwrites). One
/// thread owns a batch at a time and hands it on through the pool's queue or ``decoded``: that is
/// what makes it safe to send (hence `@unchecked Sendable`).
final class FrameBatch: @unchecked Sendable {
    /// One frame of the batch.
    struct Frame {
        /// The segment's path, named in its dead letters.
        var source: String
        /// The frame in the frame index (its file's id and its offset in the file).
        var ref: FrameRef
        /// Where its content ends in ``content``; it starts where the previous frame's ends.
        var end: Int
    }

    private(set) var content: [UInt8] = []
    private(set) var frames: [Frame] = []

    // What ``decode(with:)`` made of the frames.
    private(set) var events: [Event] = []
    /// Where each frame's events begin in ``events``, for the frame index.
    private(set) var marks: [FrameMark] = []
    /// Reason and field of each invalid line, in order.
    private(set) var invalid: [InvalidLine] = []
    /// The dead-letter records of the invalid lines, NDJSON in order.
    private(set) var deadLetters: [UInt8] = []

    /// Signalled by the decode thread once the batch is decoded.
    let decoded = DispatchSemaphore(value: 0)

    /// Adds a frame held whole (a segment's frames hold whole lines).
    func add(_ bytes: UnsafeRawBufferPointer, source: String, frame: FrameRef) {
        content.append(contentsOf: bytes)
        frames.append(Frame(source: source, ref: frame, end: content.count))
    }

    var isEmpty: Bool { frames.isEmpty }
    var contentBytes: Int { content.count }
    var frameCount: Int { frames.count }

    /// Decodes every line of the frames, as `SegmentReader.Frame.forEachLine` cuts them: the
    /// results of the last decode are dropped first (on this thread, which made them).
    func decode(with decoder: inout EventDecoder) {
        events.removeAll(keepingCapacity: true)
        marks.removeAll(keepingCapacity: true)
        invalid.removeAll(keepingCapacity: true)
        deadLetters.removeAll(keepingCapacity: true)
        content.withUnsafeBytes { all in
            guard let base = all.baseAddress else { return }
            var frameStart = 0
            for frame in frames {
                marks.append(FrameMark(firstEvent: events.count, frame: frame.ref))
                var start = frameStart
                while start < frame.end {
                    let end = nextNewline(in: base, from: start, count: frame.end)
                    let line = UnsafeRawBufferPointer(start: base + start, count: end - start)
                    if case .invalid = decoder.decode(line, appendingTo: &events) {
                        let line = decoder.lastInvalid
                        invalid.append(line)
                        DeadLetterRecord(
                            source: frame.source, offset: frame.ref.offset, lineOffset: Int64(start - frameStart),
                            invalid: line, line: UnsafeRawBufferPointer(start: base + start, count: end - start)
                        ).append(to: &deadLetters)
                    }
                    start = end + 1
                }
                frameStart = frame.end
            }
        }
    }

    /// Empties the frames for the next use, keeping the buffers' capacity (the decoded results
    /// stay until the next ``decode(with:)`` drops them on its own thread).
    func clearFrames() {
        content.removeAll(keepingCapacity: content.capacity <= 4 * DecodePool.batchBytes)
        frames.removeAll(keepingCapacity: true)
    }
}
