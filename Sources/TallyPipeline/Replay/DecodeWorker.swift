internal import TallyPosix
import TallyCore
import TallySnapshot
import TallySpool

/// One decode thread of a replay: takes units in turn, reads them, turns their lines into batches of
/// events, folds each batch into the shards (`FoldBacklog`) and hands the rest of it (counts, dead
/// letters, damage) to the collecting thread.
///
/// ```swift
/// for thread in 0..<threadCount {
///     DecodeWorker.start(units: units, shards: shards, queue: queue, maxLineBytes: 1 << 20, thread: thread)
/// }
/// // queue: each thread's batches, then one `DecodedBatch(finished: true)`
/// ```
struct DecodeWorker {
    private let units: UnitDispenser
    private let queue: BatchQueue<DecodedBatch>
    private var backlog: FoldBacklog
    private var decoder: EventDecoder
    private let shardCount: Int
    private static let batchEvents = 1_024
    /// The reader of the last zstd input read, kept with its buffers for the next unit of the same file.
    private var reader: (input: Int, reader: SegmentReader)?
    /// The last unit's batch, emptied: its event buffers are reused by the next unit.
    private var spare = DecodedBatch()
    /// Cuts the lines of a non-segment .zst file, whose frames may cut a line: a line's start
    /// waits for the next frame, up to `max_line_bytes` (a longer line is streamed, `too_long`).
    private let spanning: LineAssembler
    private let maxLineBytes: Int
    /// The place in file order of the unit being decoded, and the place of its next batch in it.
    private var unitRank = 0
    /// The input being decoded: its id in the frame index.
    private var currentInput = 0
    private var sequence = 0

    /// Thrown from a frame callback to stop at the end of a unit.
    private struct UnitEnd: Error {}

    /// Runs a worker on a new thread until every unit is taken; `thread` picks the shard it tries first.
    static func start(
        units: UnitDispenser, shards: FoldShards, queue: BatchQueue<DecodedBatch>, maxLineBytes: Int, thread: Int
    ) {
        Threads.detach {
            var worker = DecodeWorker(units: units, shards: shards, queue: queue, maxLineBytes: maxLineBytes, thread: thread)
            worker.run()
        }
    }

    private init(units: UnitDispenser, shards: FoldShards, queue: BatchQueue<DecodedBatch>, maxLineBytes: Int, thread: Int) {
        self.units = units
        self.queue = queue
        backlog = FoldBacklog(shards: shards, firstTry: thread)
        // The events only feed the fold: texts it never reads are validated but not built.
        decoder = EventDecoder(maxLineBytes: maxLineBytes, keepsUnfoldedText: false)
        self.maxLineBytes = maxLineBytes
        spanning = LineAssembler(maxLineBytes: maxLineBytes)
        shardCount = shards.count
    }

    /// Decodes units until none is left, folds what is still behind and sends the last batch.
    private mutating func run() {
        while let slot = units.take() {
            let unit = units.plan.units[slot]
            unitRank = units.plan.unitOrder[slot]
            currentInput = unit.input
            sequence = 0
            decode(unit, of: units.plan.inputs[unit.input])
        }
        backlog.finish()
        queue.push(DecodedBatch(finished: true))
    }

    /// Folds a batch's events into the shards and hands the batch on without them.
    private mutating func handOver(_ batch: DecodedBatch) {
        var batch = batch
        batch.unit = unitRank
        batch.sequence = sequence
        sequence += 1
        batch.folded = Int64(batch.events.count)
        backlog.fold(batch.events, parts: batch.shards, marks: batch.marks)
        // Freed on this thread, which allocated them, not on the thread that merges.
        batch.events = []
        batch.shards = []
        batch.marks = []
        queue.push(batch)
    }

    /// Decodes one unit of `input`. A unit that is not its file's last stops at its `end`: frames
    /// and damage from there on belong to the next unit; a damaged region it reports may run past it.
    private mutating func decode(_ unit: ReplayUnit, of input: ReplayInput) {
        var batch = DecodedBatch()
        swap(&batch, &spare)
        spanning.reset()
        do {
            switch input.kind {
            case .zstd: try decodeFrames(unit, of: input, into: &batch)
            case .plain: try decodeFile(unit, of: input, into: &batch)
            }
        } catch {
            batch.failure = error
        }
        handOver(batch)
        batch.startNext()
        spare = batch
    }

    /// Decodes the frames of a unit of a zstd input.
    private mutating func decodeFrames(_ unit: ReplayUnit, of input: ReplayInput, into batch: inout DecodedBatch) throws {
        let index = unit.input
        let reader: SegmentReader
        if let cached = self.reader, cached.input == index {
            reader = cached.reader
        } else {
            self.reader = nil
            reader = try SegmentReader(path: input.path, followSymlinks: input.named, maxLineBytes: maxLineBytes)
            self.reader = (index, reader)
        }
        let limit = unit.end ?? .max
        var end: SegmentReader.End?
        do {
            end = try reader.read(from: unit.start, maxFrames: unit.frames) { item in
                switch item {
                case .frame(let frame):
                    guard frame.offset < limit else { throw UnitEnd() }
                    if input.segment == nil {
                        spanning.beginFrame(at: frame.offset)
                        try frame.forEachPiece { piece in
                            spanning.feed(piece) { line in decodeLine(line, source: input.path, inFrame: true, into: &batch) }
                        }
                    } else if let bytes = frame.bytes {
                        // A segment's frames hold whole lines.
                        decodeLines(bytes, source: input.path, offset: frame.offset, inFrame: true, into: &batch)
                    } else {
                        try frame.forEachLine { line in decodeLine(line, source: input.path, inFrame: true, into: &batch) }
                    }
                    batch.bytes += frame.endOffset - frame.offset
                case .damaged(let damage):
                    guard damage.offset < limit else { throw UnitEnd() }
                    batch.damage.append(DamageNote(
                        input: index, offset: damage.offset, length: damage.length,
                        text: "\(input.path): damaged frame at byte \(damage.offset) (\(damage.length) bytes skipped): \(damage.reason)"))
                    batch.bytes += damage.length
                }
                if batch.events.count >= Self.batchEvents {
                    handOver(batch)
                    batch.startNext()
                }
            }
        } catch is UnitEnd {}
        // The last line of a .zst file without a final newline.
        spanning.finish { line in decodeLine(line, source: input.path, inFrame: true, into: &batch) }
        if let end {
            if let torn = end.tornTail, torn.offset < limit {
                batch.damage.append(DamageNote(
                    input: index, offset: torn.offset, length: torn.length,
                    text: "\(input.path): torn tail at byte \(torn.offset) (\(torn.length) bytes skipped)"))
                batch.bytes += torn.length
            }
            if unit.isLast {
                if end.state == .beingWritten {
                    batch.damage.append(DamageNote(
                        input: index, offset: end.offset, isDamage: false, length: nil,
                        text: "\(input.path): still being written; read up to byte \(end.offset)"))
                }
                batch.end = (index, end.offset)
            }
        }
    }

    /// Decodes a plain input, which is one unit.
    private mutating func decodeFile(_ unit: ReplayUnit, of input: ReplayInput, into batch: inout DecodedBatch) throws {
        let reader = try LineFileReader(path: input.path, maxLineBytes: maxLineBytes, regularOnly: !input.named)
        var readTo: Int64 = 0   // where reading stopped: the file may have grown since it was listed
        try reader.read { piece in
            switch piece {
            case .lines(let offset, let chunk):
                if offset == 0, input.named, Zstd.startsWithFrameMagic(chunk) {
                    throw ReplayError.compressedStream(input.path)   // a pipe: only a stream could tell
                }
                decodeLines(chunk, source: input.path, offset: offset, inFrame: false, into: &batch)
                batch.bytes += Int64(chunk.count)
                readTo = offset + Int64(chunk.count)
            case .cutLine(let line):
                decodeLine(line, source: input.path, inFrame: false, into: &batch)
                batch.bytes += line.length
                readTo = line.offset + line.length
            }
            if batch.events.count >= Self.batchEvents {
                handOver(batch)
                batch.startNext()
            }
        }
        batch.end = (unit.input, readTo)
    }

    /// Decodes one line cut out by a `LineAssembler` or `LineFileReader`: a cut line is `too_long`.
    /// For zstd input its dead letter carries the offset of the frame the line began in and the
    /// line's offset from there; for plain input the line's file offset.
    private mutating func decodeLine(
        _ line: LineAssembler.Line, source: String, inFrame: Bool, into batch: inout DecodedBatch
    ) {
        let outcome = line.isCut ? .invalid(decoder.noteCutLine(length: line.length)) : decoder.decode(line.bytes, appendingTo: &batch.events)
        book(
            outcome, line: line.bytes, isCut: line.isCut, source: source, offset: inFrame ? line.frameOffset : line.offset,
            lineOffset: inFrame ? line.offset : nil, into: &batch)
    }

    /// Counts one decoded line into `batch`: the shard of the event it appended, or its dead letter
    /// (`offset`, `lineOffset` as `DeadLetterRecord` takes them).
    @inline(__always)
    private func book(
        _ outcome: LineOutcome, line: UnsafeRawBufferPointer, isCut: Bool = false, source: String, offset: Int64,
        lineOffset: Int64?, into batch: inout DecodedBatch
    ) {
        switch outcome {
        case .appended:
            batch.lines += 1
            if shardCount > 1 {
                let shard = batch.events.withUnsafeBufferPointer { events in
                    FoldShards.shard(of: events.baseAddress! + (events.count - 1), count: shardCount)
                }
                batch.shards.append(shard)
            }
        case .invalid:
            batch.lines += 1
            let invalid = decoder.lastInvalid
            batch.invalid.append(invalid)
            DeadLetterRecord(
                source: source, offset: offset, lineOffset: lineOffset, invalid: invalid, line: line, isCut: isCut
            ).append(to: &batch.deadLetters)
        case .blank:
            break
        }
    }

    /// Decodes the lines of `bytes`. For zstd input, dead letters carry the frame's file
    /// offset and the line's offset inside the frame; for plain input the line's file offset.
    private mutating func decodeLines(
        _ bytes: UnsafeRawBufferPointer, source: String, offset: Int64, inFrame: Bool, into batch: inout DecodedBatch,
        firstLineOffset: Int = 0
    ) {
        guard let base = bytes.baseAddress else { return }
        batch.marks.append(FrameMark(firstEvent: batch.events.count, frame: FrameRef(file: UInt32(currentInput), offset: offset)))
        var start = 0
        let count = bytes.count
        while start < count {
            let end = nextNewline(in: base, from: start, count: count)
            let line = UnsafeRawBufferPointer(start: base + start, count: end - start)
            let outcome = decoder.decode(line, appendingTo: &batch.events)   // before `book` reads `lastInvalid`
            book(
                outcome, line: line, source: source,
                offset: inFrame ? offset : offset + Int64(start), lineOffset: inFrame ? Int64(firstLineOffset + start) : nil,
                into: &batch)
            start = end + 1
        }
    }
}
