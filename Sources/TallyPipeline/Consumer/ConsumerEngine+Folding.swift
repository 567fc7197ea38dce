import TallyCore
import TallySnapshot
import TallySpool

/// How the consumer thread folds what it reads: frames held whole go through the decode threads.
extension ConsumerEngine {
    /// Folds a frame: one held whole through the decode threads (`DecodePool`), a larger one
    /// here, line by line, once everything read before it is folded.
    func foldFrame(_ frame: SegmentReader.Frame, source: String) throws {
        if let bytes = frame.bytes {
            let ref = FrameRef(file: fold.frameFileID(for: source), offset: frame.offset)
            pool.add(bytes, source: source, frame: ref, fold: foldBatch)
            return
        }
        pool.drain(fold: foldBatch)
        try foldLargeFrame(frame, source: source)
    }

    /// Folds a decoded batch: its events (located in their frames), its invalid lines and their dead letters.
    func foldBatch(_ batch: FrameBatch) {
        batch.events.withUnsafeBufferPointer { events in
            fold.fold(events, parts: nil, part: 0, marks: batch.marks)
        }
        eventsSinceSnapshot += Int64(batch.events.count)
        for invalid in batch.invalid { fold.recordInvalid(invalid) }
        pending.buffer.append(contentsOf: batch.deadLetters)
    }

    /// Folds the lines of a frame too large to be held whole; a line cut for being longer than
    /// `max_line_bytes` is `too_long`.
    private func foldLargeFrame(_ frame: SegmentReader.Frame, source: String) throws {
        fold.setCurrentFrame(path: source, offset: frame.offset)   // the frame index (TallyEvents reads it)
        defer { fold.clearCurrentFrame() }
        try frame.forEachLine { line in
            switch line.isCut ? .invalid(decoder.noteCutLine(length: line.length)) : decoder.decode(line.bytes) {
            case .event(let event):
                fold.fold(event)
                eventsSinceSnapshot += 1
            case .invalid:
                let invalid = decoder.lastInvalid
                fold.recordInvalid(invalid)
                DeadLetterRecord(
                    source: source, offset: line.frameOffset, lineOffset: line.offset,
                    invalid: invalid, line: line.bytes, isCut: line.isCut
                ).append(to: &pending.buffer)
            case .blank:
                break
            }
        }
    }
}
