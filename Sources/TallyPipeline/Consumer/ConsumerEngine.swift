internal import TallyPosix
import Logging
import Synchronization
import TallyCore
import TallySnapshot
import TallySpool

/// Asks the consumer thread to stop, from any thread: a flag and a wake-up, nothing else shared.
final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)
    let watcher: SpoolWatcher

    init(watcher: SpoolWatcher) {
        self.watcher = watcher
    }

    var isRequested: Bool { flag.load(ordering: .acquiring) }

    func request() {
        flag.store(true, ordering: .releasing)
        watcher.wake()
    }
}

/// The consumer's state and its read → decode → fold → snapshot loop. Created on the caller's
/// thread, then owned by the one consumer thread (hence `@unchecked Sendable`): the fold is a
/// plain value folded without locks; only the ``StopSignal`` is shared.
final class ConsumerEngine: @unchecked Sendable {
    let settings: PipelineSettings
    let options: Consumer.Options
    let logger: Logger
    private let writer: SnapshotWriter
    private let reader: SpoolReader
    private let clock = ContinuousClock()

    private var fold: FoldState
    private var cursor: SpoolCursor
    private var decoder: EventDecoder
    /// Dead-letter records of the generation being built; written just before it commits.
    private var deadLetters: [UInt8] = []
    private var health = ConsumerHealth()
    private var lastWritten: (cursor: SpoolCursor, health: ConsumerHealth)?
    /// The cursors of the snapshots still kept, oldest first (`nil`: not a cursor): retention's floor.
    private var keptCursors: [(generation: Int64, cursor: SpoolCursor?)]
    private var eventsSinceSnapshot: Int64 = 0
    private var lastSnapshotAt: ContinuousClock.Instant

    // Reported-once bookkeeping.
    private var reportedNonSegments: Set<String> = []
    private var unreadable: [String: String] = [:]
    private var spoolMissing = false
    private var listingFailure: String?

    /// The generation resumed from, 0 for a fresh start.
    let resumedGeneration: Int64

    init(settings: PipelineSettings, options: Consumer.Options, logger: Logger) throws {
        self.settings = settings
        self.options = options
        self.logger = logger
        let opened: (writer: SnapshotWriter, restored: RestoredSnapshot?)
        do {
            opened = try SnapshotWriter.open(directory: settings.snapshots, keep: settings.snapshot.keep)
        } catch let error as SnapshotError where error.code == .busy {
            throw ConsumerError(
                code: .busy,
                message: "\(settings.snapshots) is in use by another consumer (one `tally run` per pipeline)",
                path: settings.snapshots)
        }
        writer = opened.writer
        reader = SpoolReader(directory: settings.spool)
        decoder = EventDecoder(maxLineBytes: settings.fold.maxLineBytes, keepsUnfoldedText: false)
        lastSnapshotAt = clock.now
        if let restored = opened.restored {
            guard let restoredCursor = Checkpoint.cursor(from: restored.positions) else {
                throw ConsumerError(
                    code: .incompatible,
                    message: "snapshot \(restored.generation) in \(settings.snapshots) was not written by `tally run` "
                        + "(its positions are not a spool cursor); give the pipeline a snapshot directory of its own",
                    path: settings.snapshots)
            }
            if restored.settings != settings.canonicalValue() {
                logger.warning("the pipeline settings differ from those of snapshot \(restored.generation); folding on with the new settings")
            }
            cursor = restoredCursor
            fold = try restored.rebuildFold(settings: settings.fold)
            // Segments deleted after the last snapshot (retention runs after it): their frames go.
            fold.forgetFrameFiles(fold.frameFilePaths.filter { path in
                [path, path + ".open"].allSatisfy { ((try? Posix.lstat($0)) ?? nil) == nil }
            })
            let counters = ConsumerHealth.restoredCounters(restored.health)
            health.tornTails = counters.tornTails
            health.damagedFrames = counters.damagedFrames
            resumedGeneration = restored.generation
        } else {
            cursor = SpoolCursor()
            fold = FoldState(settings: settings.fold)
            resumedGeneration = 0
        }
        // Dead letters of generations that never committed: their lines are folded again.
        try DeadLetterFiles.removeNewer(than: resumedGeneration, in: settings.deadLetter)
        keptCursors = Checkpoint.keptCursors(in: settings.snapshots, upTo: resumedGeneration)
        lastWritten = opened.restored == nil ? nil : (cursor, health)
        if resumedGeneration > 0 {
            logger.info("resumed from generation \(resumedGeneration) at positions \(Checkpoint.positions(cursor).json.serialized())")
        } else {
            logger.info("starting with no snapshot in \(settings.snapshots)")
        }
    }

    // MARK: - Loop

    /// Runs until `stop` is requested (or, with `once`, until caught up), then folds what is
    /// left (at most ``Consumer/Options/shutdownDrainLimit``) and writes a last snapshot.
    func run(stop: StopSignal) throws {
        let every = Duration.milliseconds(max(1, settings.snapshot.everyMs))
        let wakeUp = stop.watcher.usesInotify ? "woken by inotify" : "polling every \(options.pollInterval)"
        logger.info("started: spool \(settings.spool), snapshots \(settings.snapshots), every \(settings.snapshot.everyMs) ms, \(wakeUp)")
        reportNonSegmentFiles()
        var nextTick = clock.now + every
        while !stop.isRequested {
            let more = round { stop.isRequested }
            if clock.now >= nextTick {
                try tick(final: false)
                nextTick = max(nextTick + every, clock.now)
            }
            if options.once && !more { break }
            if !more && !stop.isRequested { stop.watcher.wait(timeout: nextTick - clock.now) }
        }
        if stop.isRequested {
            logger.info("stopping: folding what is left, then writing a last snapshot")
            let limit = clock.now + options.shutdownDrainLimit
            while round(until: { self.clock.now >= limit }) && clock.now < limit {}
        }
        try tick(final: true)
        logger.info("stopped at generation \(writer.nextGeneration - 1)")
    }

    /// Reads and folds new frames, at most `maxFramesPerStream` per writer, until `interrupted`
    /// says to stop (checked before each frame: a stop request is heeded within a frame's time,
    /// however many writers wait). Returns whether a writer has more to read right away.
    private func round(until interrupted: () -> Bool) -> Bool {
        guard spoolExists() else { return false }
        let budget = options.maxFramesPerStream
        var more = false
        var streamKey = ""
        var streamFrames = 0
        var failing: [String: String] = [:]
        do {
            try reader.readNew(from: &cursor, maxFramesPerStream: budget, streamFailed: { error in
                failing[error.path] = error.description
            }) { event in
                if interrupted() { throw RoundInterrupted() }   // the cursor stays before this frame
                switch event {
                case .frame(let id, let frame):
                    let key = SpoolCursor.streamKey(of: id)
                    if key != streamKey {
                        streamKey = key
                        streamFrames = 0
                    }
                    streamFrames += 1
                    if streamFrames >= budget { more = true }
                    foldFrame(frame, source: settings.spool + "/" + id.fileName)
                case .damaged(let id, let damage):
                    health.damagedFrames += 1
                    logger.warning("damaged frame skipped: \(settings.spool)/\(id.fileName) at byte \(damage.offset) (\(damage.length) bytes): \(damage.reason)")
                case .tornTail(let id, let torn):
                    health.tornTails += 1
                    logger.warning("torn tail skipped: \(settings.spool)/\(id.activeFileName) at byte \(torn.offset) (\(torn.length) bytes; its writer is gone)")
                }
            }
            if listingFailure != nil {
                logger.info("spool \(settings.spool) is readable again")
                listingFailure = nil
            }
        } catch is RoundInterrupted {
            // Streams not reached this round keep what was known of them.
            for (path, message) in unreadable where failing[path] == nil { failing[path] = message }
            more = true
        } catch {
            let message = "\(error)"
            if listingFailure != message { logger.warning("cannot list the spool; retrying: \(message)") }
            listingFailure = message
        }
        for (path, message) in failing where unreadable[path] != message {
            logger.warning("cannot read segment, its writer's stream waits and is retried every round: \(message)")
        }
        for path in unreadable.keys where failing[path] == nil {
            logger.info("segment readable again: \(path)")
        }
        unreadable = failing
        return more
    }

    private func foldFrame(_ frame: SegmentReader.Frame, source: String) {
        guard let base = frame.bytes.baseAddress else { return }
        fold.setCurrentFrame(path: source, offset: frame.offset)   // the frame index (TallyEvents reads it)
        frame.forEachLine { line in
            switch decoder.decode(line) {
            case .event(let event):
                fold.fold(event)
                eventsSinceSnapshot += 1
            case .invalid(let reason):
                fold.recordInvalid(reason)
                DeadLetterRecord.append(
                    source: source, offset: frame.offset, lineOffset: Int64(line.baseAddress.map { $0 - base } ?? 0),
                    reason: reason, line: line, to: &deadLetters)
            case .blank:
                break
            }
        }
    }

    private func spoolExists() -> Bool {
        let exists = (try? Posix.stat(settings.spool))?.isDirectory == true
        if !exists && !spoolMissing { logger.info("waiting for the spool \(settings.spool) to be created") }
        if exists && spoolMissing { logger.info("the spool \(settings.spool) appeared") }
        spoolMissing = !exists
        return exists
    }

    /// Every `snapshot.every`: forgets the writers that are gone, measures health, writes a
    /// snapshot when the positions moved or the health changed meaningfully (always when
    /// `final`), then applies segment retention. A failed write is logged and retried at the
    /// next tick; only a failed final write throws.
    private func tick(final: Bool) throws {
        // nil when the spool cannot be listed: then nothing is deleted or forgotten.
        let listing = spoolExists() ? (try? reader.spool.segments()) : nil
        // Before the snapshot, so that a snapshot (`run --once` writes one per run) never keeps
        // the positions of writers whose segments are all gone.
        if let listing { forgetGoneStreams(listing) }
        measure(listing ?? [])
        let changed = lastWritten.map { cursor != $0.cursor || health.differsMeaningfully(from: $0.health) } ?? true
        if changed || final || !deadLetters.isEmpty {
            do {
                try snapshot()
            } catch {
                logger.error("cannot write snapshot \(writer.nextGeneration): \(error)")
                if final {
                    throw ConsumerError(code: .io, message: "cannot write the last snapshot: \(error)", path: settings.snapshots)
                }
            }
        }
        if let listing { applyRetention(listing) }
        reportNonSegmentFiles()
    }

    /// Lag (bytes, frames, age) past the cursor, writer count, events/s since the last snapshot.
    private func measure(_ listing: [Spool.Segment]) {
        var bytes: Int64 = 0
        var frames: Int64 = 0
        var oldest: Int64?
        var writers = Set<String>()
        for segment in listing {
            writers.insert(SpoolCursor.streamKey(of: segment.id))
            guard let from = cursor.resumeOffset(in: segment.id), segment.size > from else { continue }
            bytes += segment.size - from
            if let counted = try? SegmentReader(path: segment.path, followSymlinks: false).countFrames(from: from) {
                frames += Int64(counted.frames)
            }
            if let entry = try? Posix.lstat(segment.path) {
                oldest = min(oldest ?? entry.modifiedAt, entry.modifiedAt)
            }
        }
        health.lagBytes = bytes
        health.lagFrames = frames
        health.lagOldestMs = oldest.map { max(0, Self.nowMs() - $0) }
        health.unreadableFiles = unreadable.count
        health.writers = writers.count
        let elapsed = clock.now - lastSnapshotAt
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        health.eventsPerSecond = seconds > 0 ? Double(eventsSinceSnapshot) / seconds : 0
    }

    /// Writes the dead letters of the next generation, then commits the snapshot with the cursor.
    private func snapshot() throws {
        let generation = writer.nextGeneration
        if !deadLetters.isEmpty {
            try FileOperations.createDirectories(settings.deadLetter)
            try FileOperations.writeAtomically(deadLetters, to: DeadLetterFiles.path(in: settings.deadLetter, generation: generation))
        }
        let events = eventsSinceSnapshot
        let metadata = SnapshotMetadata(
            positions: Checkpoint.positions(cursor), settings: settings.canonicalValue(),
            health: health.value, deadLetterDirectory: settings.deadLetter)
        let info = try writer.write(&fold, metadata: metadata)
        let invalidLines = deadLetters.isEmpty ? 0 : deadLetters.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        deadLetters.removeAll(keepingCapacity: deadLetters.capacity <= 1 << 20)
        lastWritten = (cursor, health)
        eventsSinceSnapshot = 0
        lastSnapshotAt = clock.now
        keptCursors.append((info.generation, cursor))
        if let problem = info.cleanupError {
            logger.warning("snapshot \(info.generation) written, but removing older snapshots failed (retried next time): \(problem)")
        } else if keptCursors.count > settings.snapshot.keep {
            keptCursors.removeFirst(keptCursors.count - settings.snapshot.keep)
        }
        logger.info("snapshot \(info.generation) written with \(events) events (\(fold.summary().events) in all), \(invalidLines) dead-lettered; lag \(health.lagBytes) bytes, \(health.lagFrames) frames")
    }

    /// Deletes the segments retention allows (see ``SegmentRetention``) and forgets the cursor
    /// entries of writers whose every segment is finished and gone.
    private func applyRetention(_ listing: [Spool.Segment]) {
        var remaining = listing
        if let oldest = keptCursors.first, let floor = oldest.cursor {
            let doomed = SegmentRetention.deletable(
                listing, oldestKept: floor, retentionMs: settings.retentionSegmentsMs, nowMs: Self.nowMs())
            var deleted = Set<String>()
            for segment in doomed {
                do {
                    try Posix.remove(segment.path)
                    deleted.insert(segment.path)
                    fold.forgetFrameFiles([settings.spool + "/" + segment.id.fileName])
                } catch {
                    logger.warning("cannot delete folded segment: \(error)")
                }
            }
            if !deleted.isEmpty {
                logger.info("retention: deleted \(deleted.count) folded segments (folded into snapshot \(oldest.generation) and older than \(settings.retentionSegmentsMs) ms)")
                remaining.removeAll { deleted.contains($0.path) }
            }
        }
        forgetGoneStreams(remaining)
    }

    /// Drops the cursor entries of writers with no segment left in the spool (see
    /// ``Spool/forgetGoneStreams(in:listing:)``); on an error nothing is forgotten.
    private func forgetGoneStreams(_ listing: [Spool.Segment]) {
        var trimmed = cursor
        guard (try? reader.spool.forgetGoneStreams(in: &trimmed, listing: listing)) != nil else { return }
        cursor = trimmed
    }

    /// Warns once per name about what the spool holds but no reader reads: files not named like
    /// segments, and entries named like segments that are not regular files (a planted symlink
    /// is never followed, a FIFO never opened).
    private func reportNonSegmentFiles() {
        guard !spoolMissing else { return }
        for name in (try? reader.spool.nonSegmentFileNames()) ?? [] where !reportedNonSegments.contains(name) {
            reportedNonSegments.insert(name)
            logger.warning("ignoring \(settings.spool)/\(name): not a segment file")
        }
        for entry in (try? reader.spool.nonRegularSegmentFiles()) ?? [] where !reportedNonSegments.contains(entry.name) {
            reportedNonSegments.insert(entry.name)
            logger.warning("ignoring \(settings.spool)/\(entry.name): a \(entry.kind), not a regular file (never opened or followed)")
        }
    }

    private static func nowMs() -> Int64 {
        WallClock.milliseconds()
    }
}

/// Thrown out of a round's read when a stop is due: the frame it was given is not folded.
private struct RoundInterrupted: Error {}
