import Dispatch
import Synchronization
import TallyCore
import TallySnapshot
import TallySpool

/// Batch reprocessing: folds every event of some files into one snapshot, the same
/// snapshot `tally run` would write from the same events.
///
/// ```swift
/// let report = try Replay.run(settings: settings, inputs: ["old-spool/"], output: "/tmp/replayed")
/// print(report.snapshot.manifestPath)
/// ```
///
/// Decoding (read, decompress, parse, validate) runs on `workers` threads, each taking units
/// of about 1 MiB of compressed input in turn (runs of whole zstd frames; see `ReplayUnit`),
/// so the threads finish together (within a few milliseconds) however the file sizes split. The
/// fold is split into one shard per thread by `session_id` (a retry keeps its session, so
/// `event_id` duplicates always meet in the same shard and are found exactly
/// whatever file they are in); a decode thread folds each batch into the shards itself, taking
/// a shard's lock once per batch, never per event, and leaving a busy shard's part of the batch for
/// later instead of waiting for it (`FoldBacklog`). At the end each shard takes its changes (in
/// parallel), and the shards are merged (exact for a split by session) while the snapshot writer
/// puts those changes into SQLite on another thread. Damaged frames and torn tails are reported and skipped,
/// once each and in file order, after the files are read.
///
/// Session retention is suspended while folding and applied once at the end (by each shard, at the
/// watermark of all of them): files are read in
/// parallel and out of time order, so a running retention would drop a session that later-read
/// files still add to (and count it twice). The result is the same for every read order and
/// worker count; every session of the inputs is held in memory until the end.
public enum Replay {
    /// Where a running replay is; given to the progress callback about ten times a second.
    public struct Progress: Sendable {
        public var bytesRead: Int64
        public var bytesTotal: Int64
        /// Valid events decoded and folded so far (duplicates included).
        public var events: Int64
        public var elapsed: Duration
    }

    /// What a finished replay did.
    public struct Report: Sendable {
        public var files: Int
        public var bytes: Int64
        public var lines: Int64
        public var summary: SummaryView
        /// One line per damaged frame or torn tail, with file and byte offset.
        public var damage: [String]
        /// Files inside the given directories that are neither segments, `.zst` nor `.ndjson`.
        public var skipped: [String]
        public var deadLetterFile: String?
        public var snapshot: SnapshotInfo
        public var elapsed: Duration
        /// The fold the snapshot was written from: every view (`fold.tools()`, `fold.alerts()`, …)
        /// without opening the snapshot. It holds every session of the inputs.
        public var fold: FoldState
    }

    /// Replays `inputs` (files and directories) into a new snapshot in `output`, which must
    /// not hold snapshots yet. Dead-lettered lines go to `output/dead-letter/` (recorded in the
    /// manifest relative to the snapshot directory, so the directory can be moved).
    public static func run(
        settings: PipelineSettings, inputs paths: [String], output: String, workers: Int = 2,
        progress: ((Progress) -> Void)? = nil, warning: (String) -> Void = { _ in }
    ) throws -> Report {
        try run(
            settings: settings, inputs: paths, output: output, workers: workers, unitBytes: 1 << 20,
            progress: progress, warning: warning)
    }

    /// `run`, with units of about `unitBytes` of compressed input (tests use small ones).
    static func run(
        settings: PipelineSettings, inputs paths: [String], output: String, workers: Int, unitBytes: Int64,
        progress: ((Progress) -> Void)?, warning: (String) -> Void
    ) throws -> Report {
        let clock = ContinuousClock()
        let start = clock.now
        let (inputs, skipped) = try ReplayInput.expand(paths)
        for path in skipped { warning("skipping \(path): not a segment, .zst or .ndjson file") }
        let (writer, existing) = try SnapshotWriter.open(directory: output, keep: settings.snapshot.keep)
        if existing != nil {
            throw ReplayError.outputHoldsSnapshots(output)
        }
        let deadLetterDirectory = output + "/dead-letter"

        let units = ReplayUnit.plan(inputs, targetBytes: unitBytes)
        // Each unit's place in file order (units are handed out largest first).
        let unitOrder: [Int] = {
            let byFile = units.indices.sorted { (units[$0].input, units[$0].start) < (units[$1].input, units[$1].start) }
            var order = Array(repeating: 0, count: units.count)
            for (rank, index) in byFile.enumerated() { order[index] = rank }
            return order
        }()
        let bytesTotal = inputs.reduce(0) { $0 + $1.size }

        /// One pass over every unit on `threadCount` threads; `nil` when the shards cannot be
        /// merged exactly (copies of an `event_id` with different sessions folded in two shards).
        func foldAll(threadCount: Int) throws -> FoldPass? {
            let next = Atomic<Int>(0)
            let queue = BatchQueue<DecodedBatch>(capacity: 4 * max(1, workers))
            let shards = FoldShards(
                count: threadCount, settings: settings.fold, expectedEvents: FoldShards.expectedEvents(in: inputs))
            for thread in 0..<threadCount {
                Threads.detach {
                    var decoder = InputDecoder(maxLineBytes: settings.fold.maxLineBytes, shards: shards.count)
                    var backlog = FoldBacklog(shards: shards, firstTry: thread)
                    while true {
                        let slot = next.wrappingAdd(1, ordering: .relaxed).oldValue
                        guard slot < units.count else { break }
                        let unit = units[slot]
                        var sequence = 0
                        decoder.decode(unit, of: inputs[unit.input]) { batch in
                            var batch = batch
                            batch.unit = unitOrder[slot]
                            batch.sequence = sequence
                            sequence += 1
                            batch.folded = Int64(batch.events.count)
                            backlog.fold(batch.events, parts: batch.shards)
                            // Freed on this thread, which allocated them, not on the thread that merges.
                            batch.events = []
                            batch.shards = []
                            queue.push(batch)
                        }
                    }
                    backlog.finish()
                    queue.push(DecodedBatch(finished: true))
                }
            }

            var invalid = Array(repeating: Int64(0), count: InvalidReason.allCases.count)
            // Dead letters in file order whatever thread decoded them: (unit, batch of the unit, records).
            var deadLetterChunks: [(unit: Int, sequence: Int, records: [UInt8])] = []
            var damageNotes: [DamageNote] = []
            var positions = Positions()
            var bytesRead: Int64 = 0
            var lines: Int64 = 0
            var folded: Int64 = 0
            var failure: (any Error)?
            var lastProgress = clock.now
            var running = threadCount
            while running > 0 {
                let batch = queue.pop()
                if batch.finished {
                    running -= 1
                    continue
                }
                if let error = batch.failure {
                    if failure == nil { failure = error }
                    continue
                }
                for reason in batch.invalid { invalid[InvalidReason.allCases.firstIndex(of: reason)!] += 1 }
                if !batch.deadLetters.isEmpty { deadLetterChunks.append((batch.unit, batch.sequence, batch.deadLetters)) }
                damageNotes.append(contentsOf: batch.damage)
                if let end = batch.end { positions.record(inputs[end.input], offset: end.offset) }
                bytesRead += batch.bytes
                lines += batch.lines
                folded += batch.folded
                if let progress, clock.now - lastProgress > .milliseconds(100) {
                    lastProgress = clock.now
                    progress(Progress(bytesRead: bytesRead, bytesTotal: bytesTotal, events: folded, elapsed: clock.now - start))
                }
            }
            if let failure { throw failure }
            let notes = DamageNote.merged(damageNotes)
            guard let shardChanges = shards.takeChanges() else { return nil }
            return FoldPass(
                shards: shardChanges, invalid: invalid, notes: notes, deadLetterChunks: deadLetterChunks,
                positions: positions, lines: lines)
        }
        let threadCount = max(1, min(workers, units.count))
        /// The one pass whose shards can be merged exactly. Returned as the only reference to its
        /// shards, so the merge moves them and changes them in place instead of copying them first.
        func foldOnce() throws -> FoldPass {
            if let pass = try foldAll(threadCount: threadCount) { return pass }
            warning("copies of one event_id carry different session ids: folding again on one thread to fold each once")
            if let pass = try foldAll(threadCount: 1) { return pass }
            throw ReplayError.cannotFold(paths)
        }
        var pass = try foldOnce()
        for note in pass.notes { warning(note.text) }
        let damage = pass.notes.filter(\.isDamage).map(\.text)
        var deadLetterChunks = pass.deadLetterChunks
        let positions = pass.positions
        let lines = pass.lines
        deadLetterChunks.sort { ($0.unit, $0.sequence) < ($1.unit, $1.sequence) }
        let deadLetters = deadLetterChunks.flatMap(\.records)
        let generation = writer.nextGeneration
        var deadLetterFile: String?
        if !deadLetters.isEmpty {
            try DurableFile.createDirectory(deadLetterDirectory)
            let path = DeadLetterFiles.path(in: deadLetterDirectory, generation: generation)
            try DurableFile.write(deadLetters, to: path)
            deadLetterFile = path
        }
        let metadata = SnapshotMetadata(
            positionsJSON: positions.json(), settingsJSON: settings.canonicalJSON(),
            healthJSON: Health.replay(damage: damage.count),
            deadLetterDirectory: "dead-letter")
        let invalid = pass.invalid
        let (info, fold) = try writer.write(
            partChanges: pass.shards.changes, watermark: pass.shards.watermark,
            inactivityTimeoutMs: settings.fold.inactivityTimeoutMs,
            merging: {
                var fold = pass.shards.merged()
                for (position, reason) in InvalidReason.allCases.enumerated() {
                    for _ in 0..<invalid[position] { fold.recordInvalid(reason) }
                }
                return fold
            },
            metadata: metadata)
        return Report(
            files: inputs.count, bytes: bytesTotal, lines: lines, summary: fold.summary(), damage: damage,
            skipped: skipped, deadLetterFile: deadLetterFile, snapshot: info, elapsed: clock.now - start, fold: fold)
    }
}

/// The outcome of folding every unit once.
struct FoldPass {
    /// The shards with their changes taken, to be merged while the changes are written.
    var shards: ShardChanges
    /// Dead-lettered lines by the position of their reason in `InvalidReason.allCases`.
    var invalid: [Int64]
    var notes: [DamageNote]
    var deadLetterChunks: [(unit: Int, sequence: Int, records: [UInt8])]
    var positions: Positions
    var lines: Int64
}

/// What a decode thread hands to the collecting thread once it has folded the events: a frame's
/// (or chunk's) worth of counts, dead letters and damage.
struct DecodedBatch: @unchecked Sendable {
    var events: [Event] = []
    /// The fold shard of each event (see `FoldShards`).
    var shards: [UInt8] = []
    var invalid: [InvalidReason] = []
    var deadLetters: [UInt8] = []
    var damage: [DamageNote] = []
    /// Input bytes this batch covers (compressed bytes for zstd input), for progress.
    var bytes: Int64 = 0
    var lines: Int64 = 0
    /// Valid events of this batch, already folded by the decode thread (`events` is then emptied).
    var folded: Int64 = 0
    /// Set on the last batch of an input: where reading ended.
    var end: (input: Int, offset: Int64)?
    var failure: (any Error)?
    var finished = false
    /// The unit's place in file order and the batch's place in its unit, to put dead letters in order.
    var unit = 0
    var sequence = 0

    /// Empties the batch for the next frames, keeping the event buffers' capacity: once the
    /// emitted copy has dropped them, they are reused in place instead of allocated again.
    mutating func startNext() {
        events.removeAll(keepingCapacity: true)
        shards.removeAll(keepingCapacity: true)
        self = DecodedBatch(events: events, shards: shards)
    }
}

/// The fold split by `session_id` into one shard per decode thread; events without a session go
/// by `event_id` (see `shard(of:count:)`). Each shard is a `FoldState` (retention suspended) behind its own lock, taken
/// once per batch.
///
/// ```swift
/// let shards = FoldShards(count: 2, settings: settings)
/// var backlog = FoldBacklog(shards: shards, firstTry: thread)   // one per decode thread
/// backlog.fold(events, parts: parts)   // parts from FoldShards.shard(of:count:)
/// backlog.finish()
/// var taken = shards.takeChanges()!  // once every thread is done; retention applied
/// let fold = taken.merged()
/// ```
final class FoldShards: Sendable {
    private final class Shard: Sendable {
        let state: Mutex<FoldState>
        init(_ state: FoldState) { self.state = Mutex(state) }
    }

    private let shards: [Shard]
    private let settings: FoldSettings

    /// `expectedEvents`: about how many events all shards will fold (a capacity hint).
    init(count: Int, settings: FoldSettings, expectedEvents: Int = 0) {
        let perShard = min(expectedEvents / max(1, count), Self.largestReservation)
        shards = (0..<max(1, count)).map { _ in
            var state = FoldState(settings: settings)
            state.suspendRetention()
            state.reserveEventIDs(perShard)
            return Shard(state)
        }
        self.settings = settings
    }

    /// A shard reserves room for at most this many event ids up front (a table of 96 MiB); past
    /// it, the table grows as the ids come.
    static let largestReservation = 1 << 20

    /// About how many events `inputs` hold: zstd input about 96 bytes an event, NDJSON about 384
    /// (the generated corpus has 83 and 360). Only sizes the dedup tables.
    static func expectedEvents(in inputs: [ReplayInput]) -> Int {
        inputs.reduce(0) { total, input in
            total + Int(input.size) / (input.kind == .zstd ? 96 : 384)
        }
    }

    /// The shard of an event among `count`: every event of a session in one shard (a retry keeps
    /// its session, so its copies meet in that shard), events without a session by `event_id`.
    /// Copies of an `event_id` that carry different sessions can land in two shards: `takeChanges()`
    /// finds them and the replay folds again on one thread.
    @inline(__always)
    static func shard(of event: Event, count: Int) -> UInt8 {
        withUnsafePointer(to: event) { shard(of: $0, count: count) }
    }

    /// `shard(of:count:)` of the event at `event`, read in place (the event is not copied).
    @inline(__always)
    static func shard(of event: UnsafePointer<Event>, count: Int) -> UInt8 {
        guard count > 1 else { return 0 }
        let hash: UInt64
        if var sessionID = event.pointee.sessionID {
            // ASCII ids by their bytes (cheaper than `Hasher`); others by `hashValue`, which
            // agrees with `String` equality for canonically equivalent texts too.
            hash = sessionID.withUTF8(asciiHash) ?? UInt64(UInt(bitPattern: sessionID.hashValue))
        } else if let eventID = event.pointee.eventID {
            hash = UInt64(UInt(bitPattern: eventID.hashValue))
        } else {
            return 0
        }
        return UInt8(truncatingIfNeeded: hash % UInt64(count))
    }

    /// A hash of ASCII bytes, eight at a time; `nil` when a byte is not ASCII.
    @inline(__always)
    private static func asciiHash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard let base = bytes.baseAddress else { return 0 }
        let raw = UnsafeRawPointer(base)
        let count = bytes.count
        var hash = UInt64(truncatingIfNeeded: count) &* 0x9E37_79B9_7F4A_7C15
        var high: UInt64 = 0
        var offset = 0
        while offset &+ 8 <= count {
            let word = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            high |= word
            hash = (hash ^ word) &* 0xFF51_AFD7_ED55_8CCD
            hash ^= hash &>> 32
            offset &+= 8
        }
        while offset < count {
            let byte = UInt64(base[offset])
            high |= byte
            hash = (hash ^ byte) &* 0xC4CE_B9FE_1A85_EC53
            offset &+= 1
        }
        guard high & 0x8080_8080_8080_8080 == 0 else { return nil }
        return hash ^ (hash &>> 29)
    }

    var count: Int { shards.count }

    /// Folds the events of `pending` shards into them, starting with the shard `firstTry` (modulo the
    /// count), and clears their flags. Without `waiting` a busy shard is skipped; with it, every pending
    /// shard is folded, waiting only once a round found all of them busy. Returns whether none is left.
    func fold(
        _ events: UnsafeBufferPointer<Event>, parts: UnsafeBufferPointer<UInt8>, pending: inout [Bool],
        firstTry: Int, waiting: Bool
    ) -> Bool {
        let count = shards.count
        var left = pending.reduce(0) { $0 + ($1 ? 1 : 0) }
        var foundAllBusy = false
        while left > 0 {
            var foldedAny = false
            for step in 0..<count {
                let shard = (firstTry + step) % count
                guard pending[shard] else { continue }
                let part = UInt8(shard)
                if waiting && (left == 1 || foundAllBusy) {
                    shards[shard].state.withLock { $0.fold(events, parts: count == 1 ? nil : parts, part: part) }
                } else {
                    let done: Void? = shards[shard].state.withLockIfAvailable {
                        $0.fold(events, parts: count == 1 ? nil : parts, part: part)
                    }
                    if done == nil { continue }
                }
                pending[shard] = false
                left -= 1
                foldedAny = true
            }
            if !waiting { break }
            if !foldedAny { foundAllBusy = true }
        }
        return left == 0
    }

    /// Runs `body` on one shard's state under its lock.
    func withShard<Result>(_ index: Int, _ body: (inout FoldState) -> Result) -> Result {
        shards[index].state.withLock { body(&$0) }
    }

    /// Takes every shard's state out, once every `fold` has returned, each with its changes taken in
    /// parallel (one thread per shard): session rows, states and contributions, after the shard
    /// applied the retention and dedup forgetting of the merged watermark. `nil` when two shards
    /// folded copies of the same `event_id` (copies with different sessions): their merge would
    /// count that event twice.
    func takeChanges() -> ShardChanges? {
        var parts: [FoldState] = shards.map { shard in
            var part = FoldState(settings: settings)
            shard.state.withLock { swap(&part, &$0) }
            return part
        }
        for later in parts.indices.dropFirst() {
            for earlier in 0..<later where parts[later].sharesFoldedEventIDs(with: parts[earlier]) { return nil }
        }
        // What the merged fold would forget and drop goes before the merge, in parallel, not after it.
        let watermark = parts.compactMap(\.watermark).max()
        let changes = mapConcurrently(&parts) { part in
            if let watermark {
                part.forgetEventIDs(behind: watermark)
                part.resumeRetention(watermark: watermark)
            } else {
                part.resumeRetention()
            }
            return part.takeChanges()
        }
        return ShardChanges(changes: changes, watermark: watermark, parts: parts)
    }
}

/// One decode thread's batches not yet folded into every shard they reach. A batch goes to the
/// shards that are free; one held by another thread is left for later, and the thread decodes on
/// instead of waiting: it waits only when more than `limit` batches are behind.
struct FoldBacklog {
    private struct Entry {
        var events: [Event]
        var parts: [UInt8]
        var pending: [Bool]
    }

    private let shards: FoldShards
    private let firstTry: Int
    private var entries: [Entry] = []
    private static let limit = 4

    init(shards: FoldShards, firstTry: Int) {
        self.shards = shards
        self.firstTry = firstTry
    }

    /// Folds `events` (with their shards in `parts`, one each; ignored for one shard) as far as
    /// shards are free, and whatever is behind from earlier batches.
    mutating func fold(_ events: [Event], parts: [UInt8]) {
        guard !events.isEmpty else { return }
        var pending = Array(repeating: shards.count == 1, count: shards.count)
        if shards.count > 1 { for part in parts { pending[Int(part)] = true } }
        entries.append(Entry(events: events, parts: parts, pending: pending))
        var kept = 0
        for index in entries.indices where !foldPending(&entries[index], waiting: false) {
            entries.swapAt(kept, index)
            kept += 1
        }
        entries.removeLast(entries.count - kept)
        while entries.count > Self.limit {
            _ = foldPending(&entries[0], waiting: true)
            entries.removeFirst()
        }
    }

    /// Folds everything still behind, waiting for busy shards.
    mutating func finish() {
        for index in entries.indices { _ = foldPending(&entries[index], waiting: true) }
        entries.removeAll()
    }

    private func foldPending(_ entry: inout Entry, waiting: Bool) -> Bool {
        entry.events.withUnsafeBufferPointer { events in
            entry.parts.withUnsafeBufferPointer { parts in
                shards.fold(events, parts: parts, pending: &entry.pending, firstTry: firstTry, waiting: waiting)
            }
        }
    }
}

/// The shards of a replay's fold after each took its changes (`FoldShards.takeChanges()`).
///
/// ```swift
/// var taken = shards.takeChanges()!
/// try writer.write(partChanges: taken.changes, watermark: taken.watermark, …, merging: { taken.merged() }, …)
/// ```
struct ShardChanges {
    /// Each shard's `takeChanges()`; no two name the same session.
    let changes: [FoldChanges]
    /// The watermark of all shards together, `nil` before any event.
    let watermark: Int64?
    private var parts: [FoldState]

    init(changes: [FoldChanges], watermark: Int64?, parts: [FoldState]) {
        self.changes = changes
        self.watermark = watermark
        self.parts = parts
    }

    /// The shards merged into one fold (exact for a split by session); the changes taken stay taken. Call once.
    mutating func merged() -> FoldState {
        // Moved out of the array, so the merge mutates it in place rather than a copy.
        var result = parts.removeFirst()
        for part in parts { result.merge(part) }
        parts.removeAll()
        return result
    }
}

/// Reads units of input files and turns their lines into decoded batches. One per decode thread.
struct InputDecoder {
    private var decoder: EventDecoder
    private let shardCount: Int
    private static let batchEvents = 1_024
    /// The reader of the last zstd input read, kept with its buffers for the next unit of the same file.
    private var reader: (input: Int, reader: SegmentReader)?
    /// The last unit's batch, emptied: its event buffers are reused by the next unit.
    private var spare = DecodedBatch()
    /// The start of a line that a frame of a non-segment .zst file left unfinished, and the offset
    /// of the frame it began in.
    private var carried: [UInt8] = []
    private var carriedFrom: Int64 = 0

    /// Thrown from a frame callback to stop at the end of a unit.
    private struct UnitEnd: Error {}

    init(maxLineBytes: Int, shards: Int) {
        // The events only feed the fold: texts it never reads are validated but not built.
        decoder = EventDecoder(maxLineBytes: maxLineBytes, keepsUnfoldedText: false)
        shardCount = shards
    }

    /// Decodes one unit of `input`. A unit that is not its file's last stops at its `end`: frames
    /// and damage from there on belong to the next unit; a damaged region it reports may run past it.
    mutating func decode(_ unit: ReplayUnit, of input: ReplayInput, emit: (DecodedBatch) -> Void) {
        var batch = DecodedBatch()
        swap(&batch, &spare)
        carried.removeAll(keepingCapacity: true)
        let index = unit.input
        do {
            switch input.kind {
            case .zstd:
                let reader: SegmentReader
                if let cached = self.reader, cached.input == index {
                    reader = cached.reader
                } else {
                    self.reader = nil
                    reader = try SegmentReader(path: input.path)
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
                                decodeSpanningLines(frame, source: input.path, into: &batch)
                            } else {
                                // A segment's frames hold whole lines.
                                decodeLines(frame.bytes, source: input.path, offset: frame.offset, inFrame: true, into: &batch)
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
                            emit(batch)
                            batch.startNext()
                        }
                    }
                } catch is UnitEnd {}
                if !carried.isEmpty {
                    // The last line of a .zst file without a final newline.
                    carried.withUnsafeBytes { decodeLines($0, source: input.path, offset: carriedFrom, inFrame: true, into: &batch) }
                    carried.removeAll(keepingCapacity: true)
                }
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
            case .plain:
                let reader = try LineFileReader(path: input.path)
                var readTo: Int64 = 0   // where reading stopped: the file may have grown since it was listed
                try reader.read { offset, chunk in
                    decodeLines(chunk, source: input.path, offset: offset, inFrame: false, into: &batch)
                    batch.bytes += Int64(chunk.count)
                    readTo = offset + Int64(chunk.count)
                    if batch.events.count >= Self.batchEvents {
                        emit(batch)
                        batch.startNext()
                    }
                }
                batch.end = (index, readTo)
            }
        } catch {
            batch.failure = error
        }
        emit(batch)
        batch.startNext()
        spare = batch
    }

    /// Decodes the lines of `bytes`. For zstd input, dead letters carry the frame's file
    /// offset and the line's offset inside the frame; for plain input the line's file offset.
    /// Decodes a frame of a .zst file not written by Tally, whose frames may cut a line: the piece
    /// after the frame's last newline waits for the next frame. Dead letters of a line that began in
    /// an earlier frame carry that frame's offset.
    private mutating func decodeSpanningLines(_ frame: SegmentReader.Frame, source: String, into batch: inout DecodedBatch) {
        let bytes = frame.bytes
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        var start = 0
        if !carried.isEmpty {
            let end = nextNewline(in: base, from: 0, count: bytes.count)
            carried.append(contentsOf: UnsafeRawBufferPointer(start: base, count: end))
            guard end < bytes.count else { return }   // the line goes on in the next frame
            carried.withUnsafeBytes { decodeLines($0, source: source, offset: carriedFrom, inFrame: true, into: &batch) }
            carried.removeAll(keepingCapacity: true)
            start = end + 1
        }
        var lastNewline = bytes.count - 1
        while lastNewline >= start && bytes[lastNewline] != 0x0A { lastNewline -= 1 }
        if lastNewline >= start {
            decodeLines(
                UnsafeRawBufferPointer(start: base + start, count: lastNewline - start), source: source,
                offset: frame.offset, inFrame: true, into: &batch, firstLineOffset: start)
        }
        if lastNewline + 1 < bytes.count {
            carried.append(contentsOf: UnsafeRawBufferPointer(start: base + lastNewline + 1, count: bytes.count - lastNewline - 1))
            carriedFrom = frame.offset
        }
    }

    private mutating func decodeLines(
        _ bytes: UnsafeRawBufferPointer, source: String, offset: Int64, inFrame: Bool, into batch: inout DecodedBatch,
        firstLineOffset: Int = 0
    ) {
        guard let base = bytes.baseAddress else { return }
        var start = 0
        let count = bytes.count
        while start < count {
            let end = nextNewline(in: base, from: start, count: count)
            let line = UnsafeRawBufferPointer(start: base + start, count: end - start)
            batch.lines += 1
            switch decoder.decode(line, appendingTo: &batch.events) {
            case .appended:
                if shardCount > 1 {
                    let shard = batch.events.withUnsafeBufferPointer { events in
                        FoldShards.shard(of: events.baseAddress! + (events.count - 1), count: shardCount)
                    }
                    batch.shards.append(shard)
                }
            case .invalid(let reason):
                batch.invalid.append(reason)
                DeadLetterRecord.append(
                    source: source, offset: inFrame ? offset : offset + Int64(start),
                    lineOffset: inFrame ? Int64(firstLineOffset + start) : nil, reason: reason, line: line, to: &batch.deadLetters)
            case .blank:
                batch.lines -= 1
            }
            start = end + 1
        }
    }
}
