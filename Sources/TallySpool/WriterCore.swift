import Logging

internal import TallyPosix

/// A writer's state and the work of one batch: cut lines into frames, compress, write, rotate,
/// sync. Only touched with the writer's mutex held (see ``LockedWriterCore``), hence
/// `@unchecked Sendable`.
final class WriterCore: @unchecked Sendable {
    let directory: String
    let dirFD: Int32
    let producer: String
    let writerID: String
    let configuration: SpoolConfiguration
    let logger: Logger
    let compressor: ZstdCompressor
    let output: ByteBuffer
    /// Where ``SpoolWriter/append(lines:)`` joins a batch's lines.
    let joinBuffer = ByteBuffer(capacity: 1 << 16)
    private let scratch: ByteBuffer
    private var sequence: UInt64 = 0
    private var active: ActiveSegment?
    /// Bytes written since the last `fdatasync`.
    private var dirty = false
    private var lastSync = ContinuousClock.now
    private var closed = false
    /// The first failed fsync (of a segment or of the directory, in any fsync mode, the interval
    /// thread's included). The writer then stays failed: every later append, flush and close
    /// throws it, and its segment is never sealed (it stays `.zst.open`, abandoned), since data
    /// the kernel failed to write back may be gone although a later fsync succeeds.
    private(set) var failure: SpoolError?
    /// Lines in the complete frames written to the spool (what survives `kill -9` of the producer).
    private(set) var linesAppended: Int64 = 0
    /// For tests, a failing disk: the next `fdatasync` of a segment fails with this errno.
    var injectedSyncErrno: Int32?

    init(
        directory: String, dirFD: Int32, producer: String, writerID: String, configuration: SpoolConfiguration, logger: Logger
    ) throws(SpoolError) {
        self.directory = directory
        self.dirFD = dirFD
        self.producer = producer
        self.writerID = writerID
        self.configuration = configuration
        self.logger = logger
        compressor = try ZstdCompressor(level: configuration.compressionLevel, path: directory)
        output = ByteBuffer(capacity: Zstd.compressBound(configuration.maxFrameBytes))
        scratch = ByteBuffer(capacity: 1 << 16)
    }

    deinit {
        active?.close()
        Posix.close(dirFD)
    }

    private func checkOpen() throws(SpoolError) {
        if let failure { throw failure }
        if closed {
            throw SpoolError(code: .closed, operation: "cannot append to", message: "writer is closed", path: directory)
        }
    }

    /// Runs an fsync; a failure fails the writer for good (see ``failure``).
    private func durably(_ body: () throws(SpoolError) -> Void) throws(SpoolError) {
        do throws(SpoolError) { try body() } catch {
            if failure == nil { failure = error }
            throw error
        }
    }

    /// `fdatasync` of a segment's data, failing the writer if it fails.
    private func syncData(of segment: ActiveSegment) throws(SpoolError) {
        try durably { () throws(SpoolError) in
            if let code = injectedSyncErrno {
                injectedSyncErrno = nil
                throw SpoolError(SystemError("cannot fsync", segment.path, errno: code))
            }
            try segment.syncData()
        }
    }

    /// `fsync` of the directory, failing the writer if it fails.
    private func syncDirectory() throws(SpoolError) {
        try durably { () throws(SpoolError) in try io { try Posix.fsync(dirFD, path: directory) } }
    }

    // MARK: segments

    private func openSegment() throws(SpoolError) -> ActiveSegment {
        if let active { return active }
        sequence += 1
        let segment = try ActiveSegment.create(SegmentID(producer: producer, writer: writerID, sequence: sequence), in: directory)
        active = segment
        return segment
    }

    /// fsync, rename to the sealed name, fsync the directory, close (releasing the lock).
    private func seal() throws(SpoolError) {
        guard var segment = active else { return }
        try syncData(of: segment)
        try segment.rename(toSealedIn: directory)
        active = nil
        dirty = false
        defer { segment.close() }
        if configuration.fsync != .never { try syncDirectory() }
    }

    private func rotateIfDue() throws(SpoolError) {
        guard let segment = active else { return }
        if segment.bytes >= configuration.maxSegmentBytes || segment.opened.duration(to: .now) >= configuration.maxSegmentAge {
            try seal()
        }
    }

    private func sealIfFull() throws(SpoolError) {
        if let segment = active, segment.bytes >= configuration.maxSegmentBytes { try seal() }
    }

    /// Gives up the active segment after a failed write that could not be undone:
    /// it stays as an abandoned segment with a torn tail; the next append starts a new one.
    private func abandon(after reason: String = "a failed write") {
        guard let segment = active else { return }
        logger.error("abandoning segment after \(reason)", metadata: ["segment": "\(segment.path)"])
        segment.close()
        active = nil
    }

    /// Writes one compressed frame; on failure undoes the partial write or abandons the segment.
    private func writeFrame(_ frame: UnsafeRawBufferPointer) throws(SpoolError) {
        var segment = try openSegment()
        do throws(SpoolError) {
            try segment.write(frame)
        } catch {
            rollBack(to: segment.bytes)
            throw error
        }
        active = segment
        dirty = true
    }

    private func rollBack(to length: Int64) {
        guard let segment = active else { return }
        do throws(SpoolError) { try segment.truncate(to: length) } catch { abandon() }
    }

    // MARK: appending

    /// Appends `batch` (lines separated by `\n`; a missing last newline is added) as frames.
    func appendBatch(_ batch: UnsafeRawBufferPointer) throws(SpoolError) {
        try checkOpen()
        try rotateIfDue()
        let limit = configuration.maxFrameBytes
        var start = 0
        while start < batch.count {
            let end = FrameCut.end(of: batch, from: start, limit: limit)
            var piece = UnsafeRawBufferPointer(rebasing: batch[start..<end])
            if end == batch.count && batch[end - 1] != 0x0A {
                scratch.reserve(piece.count + 1)
                scratch.base.copyMemory(from: piece.baseAddress!, byteCount: piece.count)
                scratch.base.storeBytes(of: 0x0A, toByteOffset: piece.count, as: UInt8.self)
                piece = UnsafeRawBufferPointer(start: scratch.base, count: piece.count + 1)
            }
            let n = try compressor.compressFrame(piece, into: output, path: directory)
            try writeFrame(UnsafeRawBufferPointer(start: output.base, count: n))
            linesAppended += Int64(FrameCut.newlineCount(piece.baseAddress!, piece.count))
            start = end
            try sealIfFull()
        }
        try afterBatch()
    }

    /// Appends one line fed in pieces by `body` as one frame, compressed as it arrives.
    func appendStreamingLine(_ body: (LineSink) throws -> Void) throws {
        try checkOpen()
        try rotateIfDue()
        let segment = try openSegment()
        let startBytes = segment.bytes
        var written: Int64 = 0
        let fd = segment.fd, path = segment.path
        let emit = { (piece: UnsafeRawBufferPointer) throws(SpoolError) in
            try io { try Posix.writeAll(fd, piece, path: path) }
            written += Int64(piece.count)
        }
        do {
            try compressor.beginStream(path: directory)
            let sink = LineSink { [compressor, output, directory] piece throws(SpoolError) in
                try compressor.stream(piece, end: false, output: output, path: directory, emit: emit)
            }
            try body(sink)
            var newline: UInt8 = 0x0A
            try withUnsafeBytes(of: &newline) { nl throws(SpoolError) in
                try compressor.stream(nl, end: true, output: output, path: directory, emit: emit)
            }
        } catch {
            rollBack(to: startBytes)
            throw error
        }
        active?.noteWritten(written)
        dirty = true
        linesAppended += 1
        try sealIfFull()
        try afterBatch()
    }

    private func afterBatch() throws(SpoolError) {
        switch configuration.fsync {
        case .always:
            try sync()
        case .interval(let d):
            if lastSync.duration(to: .now) >= d { try sync() }
        case .never:
            break
        }
    }

    /// fdatasync of the active segment and, once per segment, fsync of the directory.
    func sync() throws(SpoolError) {
        if let failure { throw failure }
        lastSync = .now
        guard var segment = active else { return }
        if dirty {
            try syncData(of: segment)
            dirty = false
        }
        if !segment.directoryDurable {
            try syncDirectory()
            segment.directoryDurable = true
            active = segment
        }
    }

    /// The interval thread's sync: a failure fails the writer (the next append, flush or close
    /// throws it); it is logged once.
    func backgroundSync() {
        guard failure == nil, !closed else { return }
        do throws(SpoolError) { try sync() } catch {
            logger.error("interval fsync failed; the writer has failed", metadata: ["error": "\(error)"])
        }
    }

    /// Seals the active segment; later appends throw `.closed`. Idempotent, but a failed
    /// writer's close throws its ``failure`` every time, without sealing: its segment is left
    /// `.zst.open` (abandoned, its lock released) for readers to read as far as it goes.
    func close() throws(SpoolError) {
        if let failure {
            closed = true
            abandon(after: "a failed fsync")
            throw failure
        }
        guard !closed else { return }
        closed = true
        do throws(SpoolError) { try seal() } catch {
            if failure != nil { abandon(after: "a failed fsync") }
            throw error
        }
    }
}
