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
    /// A failure of the interval-sync thread, thrown by the next append, flush or sync.
    var pendingError: SpoolError?

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
        if closed {
            throw SpoolError(code: .closed, operation: "cannot append to", message: "writer is closed", path: directory)
        }
        if let e = pendingError {
            pendingError = nil
            throw e
        }
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
        try segment.seal(in: directory)
        active = nil
        dirty = false
        defer { segment.close() }
        if configuration.fsync != .never {
            try io { try Posix.fsync(dirFD, path: directory) }
        }
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
    private func abandon() {
        guard let segment = active else { return }
        logger.error("abandoning segment after a failed write", metadata: ["segment": "\(segment.path)"])
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
        if let e = pendingError {
            pendingError = nil
            throw e
        }
        lastSync = .now
        guard var segment = active else { return }
        if dirty {
            try segment.syncData()
            dirty = false
        }
        if !segment.directoryDurable {
            try io { try Posix.fsync(dirFD, path: directory) }
            segment.directoryDurable = true
            active = segment
        }
    }

    /// Seals the active segment; later appends throw `.closed`. Idempotent.
    func close() throws(SpoolError) {
        guard !closed else { return }
        closed = true
        try seal()
    }
}
