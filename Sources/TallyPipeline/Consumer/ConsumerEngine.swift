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
    let writer: SnapshotWriter
    private let reader: SpoolReader
    private let clock = ContinuousClock()

    var fold: FoldState   // internal: the retention extension forgets deleted segments' frames
    private var cursor: SpoolCursor
    var decoder: EventDecoder
    /// Decodes frames held whole on `options.workers` threads; the fold stays on this one.
    let pool: DecodePool
    /// Dead-letter records of the generation being built; complete in their file just before it commits.
    var pending: PendingDeadLetters
    /// The identity of the spool, once it exists (`nil` before); a snapshot records it.
    var spoolIdentity: String?
    /// The spool identity the snapshot resumed from recorded (`nil`: none, a fresh start or an older build).
    let recordedSpoolIdentity: String?
    /// While snapshots fail (a full disk, say): no new frames are read, and the next attempt waits
    /// for `retryAt`, twice as long after each failure (1 s … 60 s).
    private var snapshotFailures = 0
    private var retryAt: ContinuousClock.Instant?
    /// Registering in the spool failed with this message (reported once).
    var registrationFailure: String?
    private var health = ConsumerHealth()
    private var lastWritten: (cursor: SpoolCursor, health: ConsumerHealth)?
    /// The cursors of the snapshots still kept, oldest first (`nil`: not a cursor): retention's floor.
    var keptCursors: [(generation: Int64, cursor: SpoolCursor?)]
    var eventsSinceSnapshot: Int64 = 0
    private var lastSnapshotAt: ContinuousClock.Instant

    // Reported-once bookkeeping.
    var reportedNonSegments: Set<String> = []
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
        for note in writer.recoveryNotes { logger.warning("\(note)") }
        for directory in [settings.snapshots, settings.deadLetter] {
            if let note = SnapshotDirectory.exposure(of: directory) { logger.warning("\(note)") }
        }
        pending = PendingDeadLetters(files: writer.deadLetters(in: settings.deadLetter))
        recordedSpoolIdentity = opened.restored?.spoolIdentity
        reader = SpoolReader(directory: settings.spool, maxLineBytes: settings.fold.maxLineBytes)
        decoder = EventDecoder(maxLineBytes: settings.fold.maxLineBytes, keepsUnfoldedText: false)
        pool = DecodePool(workers: options.workers, maxLineBytes: settings.fold.maxLineBytes)
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
                [path, SegmentID.activePath(ofSealed: path)].compactMap { $0 }.allSatisfy { ((try? Posix.lstat($0)) ?? nil) == nil }
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
        fold.sessionReloader = writer.sessionReloader
        // The restored snapshot holds every session as it is: the settled ones leave memory at once.
        if let idle = settings.evictAfterMs { fold.evictSettledSessions(idleMs: idle) }
        // Dead letters of generations that never committed (this consumer's only): their lines are folded again.
        try pending.files.removeUncommitted(after: resumedGeneration)
        try FileOperations.removeTemporaryFiles(in: settings.deadLetter)
        keptCursors = Checkpoint.keptCursors(in: settings.snapshots, upTo: resumedGeneration)
        lastWritten = opened.restored == nil ? nil : (cursor, health)
        try checkSpoolIdentity()
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
        defer { pool.close() }
        let every = Duration.milliseconds(max(1, settings.snapshot.everyMs))
        let wakeUp = stop.watcher.usesInotify ? "woken by inotify" : "polling every \(options.pollInterval)"
        let decoding = pool.workers == 0 ? "decoding on the folding thread" : "\(pool.workers) decode threads"
        logger.info("started: spool \(settings.spool), snapshots \(settings.snapshots), every \(settings.snapshot.everyMs) ms, \(wakeUp), \(decoding), libzstd \(ZstdLibrary.version)")
        reportNonSegmentFiles()
        var nextTick = clock.now + every
        while !stop.isRequested {
            // While snapshots fail, nothing new is read: pending changes and dead letters stay bounded.
            let more = snapshotFailures > 0 ? false : try round { stop.isRequested }
            if clock.now >= min(nextTick, retryAt ?? nextTick) {
                try tick(final: false)
                nextTick = retryAt ?? max(nextTick + every, clock.now)
            }
            if options.once && !more { break }
            if !more && !stop.isRequested { stop.watcher.wait(timeout: min(nextTick, retryAt ?? nextTick) - clock.now) }
        }
        if stop.isRequested {
            logger.info("stopping: folding what is left, then writing a last snapshot")
            let limit = clock.now + options.shutdownDrainLimit
            while snapshotFailures == 0, try round(until: { self.clock.now >= limit }), clock.now < limit {}
        }
        try tick(final: true)
        logger.info("stopped at generation \(writer.nextGeneration - 1)")
    }

    /// Reads and folds new frames, at most `maxFramesPerStream` per writer, until `interrupted`
    /// says to stop (checked before each frame: a stop request is heeded within a frame's time,
    /// however many writers wait). Returns whether a writer has more to read right away.
    private func round(until interrupted: () -> Bool) throws -> Bool {
        guard spoolExists() else { return false }
        try checkSpoolIdentity()
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
                if !spillDeadLetters() { throw RoundInterrupted() }
                switch event {
                case .frame(let id, let frame):
                    let key = SpoolCursor.streamKey(of: id)
                    if key != streamKey {
                        streamKey = key
                        streamFrames = 0
                    }
                    streamFrames += 1
                    if streamFrames >= budget { more = true }
                    try foldFrame(frame, source: settings.spool + "/" + id.fileName)
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
        // Everything read this round is folded before the cursor that covers it can be committed.
        pool.drain(fold: foldBatch)
        for (path, message) in failing where unreadable[path] != message {
            logger.warning("cannot read segment, its writer's stream waits and is retried every round: \(message)")
        }
        for path in unreadable.keys where failing[path] == nil {
            logger.info("segment readable again: \(path)")
        }
        unreadable = failing
        return more
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
        if let failure = fold.takeReloadFailure() {
            // The fold went on without that session: it must not be written (a restart folds again from the last snapshot).
            throw ConsumerError(code: .io, message: failure, path: settings.snapshots)
        }
        // nil when the spool cannot be listed: then nothing is deleted or forgotten.
        let listing = spoolExists() ? (try? reader.spool.segments()) : nil
        // Before the snapshot, so that a snapshot (`run --once` writes one per run) never keeps
        // the positions of writers whose segments are all gone.
        if let listing { forgetGoneStreams(listing) }
        measure(listing ?? [])
        let changed = lastWritten.map { cursor != $0.cursor || health.differsMeaningfully(from: $0.health) } ?? true
        if changed || final || !pending.isEmpty || snapshotFailures > 0 {
            do {
                try snapshot()
                if snapshotFailures > 0 { logger.info("snapshot \(writer.nextGeneration - 1) committed after \(snapshotFailures) failed attempts; reading again") }
                snapshotFailures = 0
                retryAt = nil
            } catch {
                if final {
                    throw ConsumerError(code: .io, message: "cannot write the last snapshot: \(error)", path: settings.snapshots)
                }
                let delay = failed()
                logger.error("cannot write snapshot \(writer.nextGeneration): \(error); reading paused, retrying in \(delay)")
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
        health.sessionsInMemory = fold.residentSessionCount
        health.sessionsEvicted = fold.evictedSessionCount
        health.sessionsReloaded = fold.reloadedSessionCount
        let elapsed = clock.now - lastSnapshotAt
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        health.eventsPerSecond = seconds > 0 ? Double(eventsSinceSnapshot) / seconds : 0
    }

    /// Completes the dead-letter file of the next generation, then commits the snapshot with the
    /// cursor, and registers the consumer in the spool.
    private func snapshot() throws {
        let generation = writer.nextGeneration
        try pending.flush(generation: generation)
        let events = eventsSinceSnapshot
        let metadata = SnapshotMetadata(
            positions: Checkpoint.positions(cursor), settings: settings.canonicalValue(),
            health: health.value, deadLetterDirectory: settings.deadLetter, spoolIdentity: spoolIdentity ?? recordedSpoolIdentity)
        let info = try writer.write(&fold, metadata: metadata)
        let invalidLines = pending.lines
        pending.committed()
        lastWritten = (cursor, health)
        eventsSinceSnapshot = 0
        lastSnapshotAt = clock.now
        keptCursors.append((info.generation, cursor))
        if let problem = info.cleanupError {
            logger.warning("snapshot \(info.generation) written, but removing older snapshots failed (retried next time): \(problem)")
        } else if keptCursors.count > settings.snapshot.keep {
            keptCursors.removeFirst(keptCursors.count - settings.snapshot.keep)
        }
        register()
        let evicted = evictSettledSessions()
        logger.info("snapshot \(info.generation) written with \(events) events (\(fold.summary().events) in all), \(invalidLines) dead-lettered; lag \(health.lagBytes) bytes, \(health.lagFrames) frames; sessions in memory \(fold.residentSessionCount), \(evicted) evicted, \(fold.evictedSessionCount) out of memory")
    }

    /// Moves settled sessions out of memory (`sessions.evict_after`); right after a snapshot committed.
    @discardableResult
    private func evictSettledSessions() -> Int {
        guard let idle = settings.evictAfterMs else { return 0 }
        return fold.evictSettledSessions(idleMs: idle)
    }

    /// Drops the cursor entries of writers with no segment left in the spool (see
    /// ``Spool/forgetGoneStreams(in:listing:)``); on an error nothing is forgotten.
    func forgetGoneStreams(_ listing: [Spool.Segment]) {
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

    /// Counts a failed snapshot (or dead-letter spill): reading pauses, and the next attempt
    /// waits 1 s, then twice as long after each failure, at most 60 s. Returns the wait.
    private func failed() -> Duration {
        snapshotFailures += 1
        let delay = Duration.seconds(min(60, 1 << min(snapshotFailures - 1, 6)))
        retryAt = clock.now + delay
        return delay
    }

    /// Moves the dead letters to their file once they reach ``PendingDeadLetters/spillBytes``;
    /// `false` when that failed (reading then pauses as while snapshots fail).
    private func spillDeadLetters() -> Bool {
        do {
            try pending.spillIfLarge(generation: writer.nextGeneration)
            return true
        } catch {
            let delay = failed()
            logger.error("cannot write dead letters to \(pending.files.directory): \(error); reading paused, retrying in \(delay)")
            return false
        }
    }

    static func nowMs() -> Int64 {
        WallClock.milliseconds()
    }
}

/// Thrown out of a round's read when a stop is due: the frame it was given is not folded.
private struct RoundInterrupted: Error {}
