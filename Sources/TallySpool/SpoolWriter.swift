import Logging
import Synchronization

internal import Glibc
internal import TallyPosix

/// Appends NDJSON lines to a spool directory as zstd frames in segment files
/// that this writer alone owns.
///
/// ```swift
/// let writer = try SpoolWriter(directory: "/var/spool/tally", producer: "api")
/// try writer.append(Array(#"{"type":"message","session_id":"s1"}"#.utf8) + [0x0A])
/// try writer.append(lines: [#"{"a":1}"#.utf8, #"{"a":2}"#.utf8])
/// try writer.close()   // seals the active segment
/// ```
///
/// Each call to `append` is one batch: its lines go into one or more frames,
/// each frame holding whole lines (at most ``SpoolConfiguration/maxFrameBytes``
/// of them, or one longer line) and written with one `write(2)`. Nothing is
/// buffered in memory between calls: when `append` returns, the frames are in
/// the file (and, with `fsync: .always`, on disk). Threads may share one writer;
/// batches are serialized by a mutex held per batch. Rotation by size is checked
/// after every frame, by age at batch boundaries.
///
/// Durability with ``SpoolConfiguration/Fsync``:
/// - `.always`: file data (`fdatasync`) and the directory entry of a new segment
///   (`fsync` of the directory) are on disk before `append` returns.
/// - `.interval(d)`: a background thread syncs every `d/2`; at most `d` of
///   acknowledged lines can be lost on power loss.
/// - `.never`: the OS decides. In every mode a segment is `fsync`ed before it
///   is sealed, so a sealed name never points at missing data.
public final class SpoolWriter: Sendable {
    /// The spool directory.
    public let directory: String
    /// The producer name, the first part of every segment name.
    public let producer: String
    /// This writer's unique ID, the second part of its segment names.
    public let writerID: String
    public let configuration: SpoolConfiguration

    private let shared: Shared
    private let syncThread: Mutex<Threads.Handle?>

    /// Opens a writer on `directory`, creating the directory (and its parents) if missing.
    ///
    /// No file is created until the first non-empty append.
    /// - Throws: ``SpoolError`` with code `.notADirectory` when `directory` is a file,
    ///   `.io` when it cannot be created or written, `.invalidArgument` for a bad
    ///   producer name or configuration.
    public init(directory: String, producer: String, configuration: SpoolConfiguration = .init()) throws(SpoolError) {
        guard SegmentID.isValidName(producer) else {
            throw SpoolError(
                code: .invalidArgument, operation: "cannot append to", message: "producer name must be 1-128 of A-Z a-z 0-9 _ -: \(producer)",
                path: directory)
        }
        guard configuration.maxFrameBytes > 0, configuration.maxSegmentBytes > 0 else {
            throw SpoolError(code: .invalidArgument, operation: "cannot append to", message: "sizes must be positive", path: directory)
        }
        if case .interval(let d) = configuration.fsync, d <= .zero {
            throw SpoolError(code: .invalidArgument, operation: "cannot append to", message: "fsync interval must be positive", path: directory)
        }
        let dir = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        try Self.prepareDirectory(dir)
        self.directory = dir
        self.producer = producer
        self.configuration = configuration
        let (s, ns) = WallClock.now()
        let micros = String(ns / 1000)
        self.writerID = WallClock.utcStamp(s) + "_" + String(repeating: "0", count: 6 - micros.count) + micros + "Z-"
            + String(Posix.pid) + "-" + Self.hex8(UInt32.random(in: .min ... .max))
        let dirFD = try io { try Posix.openDirectory(dir) }
        let core: WriterCore
        do {
            core = try WriterCore(directory: dir, dirFD: dirFD, producer: producer, writerID: writerID, configuration: configuration)
        } catch {
            Posix.close(dirFD)
            throw error
        }
        let stop = try io { try Posix.pipe() }
        shared = Shared(core: core, stopPipe: stop)
        if case .interval(let d) = configuration.fsync {
            let shared = self.shared
            let periodMs = max(1, Int32(clamping: (d / 2).components.seconds * 1000 + (d / 2).components.attoseconds / 1_000_000_000_000_000))
            syncThread = Mutex(Threads.start { shared.runSyncLoop(periodMs: periodMs) })
        } else {
            syncThread = Mutex(nil)
        }
    }

    deinit {
        try? close()
    }

    /// Appends NDJSON bytes: whole lines separated by `\n`. A missing final newline is added.
    /// An empty buffer is a no-op. Lines are not checked (invalid UTF-8 or JSON is appended as is).
    public func append(_ ndjson: UnsafeRawBufferPointer) throws(SpoolError) {
        guard ndjson.count > 0 else { return }
        try shared.core.withLock { core throws(SpoolError) in try core.appendBatch(ndjson) }
    }

    /// Appends NDJSON bytes; see ``append(_:)-(UnsafeRawBufferPointer)``.
    public func append(_ ndjson: [UInt8]) throws(SpoolError) {
        try ndjson.withUnsafeBytes { buffer in
            Result { () throws(SpoolError) in try append(buffer) }
        }.get()
    }

    /// Appends one batch of lines, each given without its newline.
    /// (A line that contains `\n` becomes several lines.)
    public func append<Lines: Sequence>(lines: Lines) throws(SpoolError) where Lines.Element: Collection<UInt8> {
        try shared.core.withLock { core throws(SpoolError) in
            let joined = core.joinBuffer
            var count = 0
            for line in lines {
                let n = line.count
                joined.reserve(count + n + 1, keeping: count)
                let dst = UnsafeMutableRawBufferPointer(start: joined.base + count, count: n)
                if line.withContiguousStorageIfAvailable({ dst.copyMemory(from: UnsafeRawBufferPointer($0)) }) == nil {
                    _ = dst.initializeMemory(as: UInt8.self, from: line)
                }
                count += n
                joined.base.storeBytes(of: 0x0A, toByteOffset: count, as: UInt8.self)
                count += 1
            }
            guard count > 0 else { return }
            try core.appendBatch(UnsafeRawBufferPointer(start: joined.base, count: count))
        }
    }

    /// Makes everything appended so far durable now, whatever the fsync mode.
    public func flush() throws(SpoolError) {
        try shared.core.withLock { core throws(SpoolError) in try core.sync() }
    }

    /// Seals the active segment (fsync, rename `.zst.open` → `.zst`, fsync of the
    /// directory) and stops the writer. Later appends throw `.closed`. Idempotent.
    public func close() throws(SpoolError) {
        let result = shared.core.withLock { core -> Result<Void, SpoolError> in
            do throws(SpoolError) { try core.close() } catch { return .failure(error) }
            return .success(())
        }
        if let thread = syncThread.withLock({ t -> Threads.Handle? in defer { t = nil }; return t }) {
            var byte: UInt8 = 1
            _ = Glibc.write(shared.stopPipe.write, &byte, 1)
            Threads.join(thread)
        }
        try result.get()
    }

    /// Appends one line whose bytes arrive in pieces, as a frame of its own, without
    /// holding the whole line in memory. `body` feeds the pieces (without newline).
    func appendStreamingLine(_ body: (LineSink) throws -> Void) throws {
        try shared.core.withLock { core in try core.appendStreamingLine(body) }
    }

    private static func prepareDirectory(_ dir: String) throws(SpoolError) {
        func refuse(_ code: Int32) -> SpoolError {
            var e = SpoolError(SystemError("cannot append to", dir, errno: code))
            if code == ENOTDIR || code == EEXIST { e.code = .notADirectory; e.message = "not a directory" }
            return e
        }
        if let st = try? Posix.stat(dir) {
            guard st.isDirectory else { throw refuse(ENOTDIR) }
        } else {
            // mkdir -p
            var prefix = dir.hasPrefix("/") ? "/" : ""
            for part in dir.split(separator: "/") {
                prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + part
                if mkdir(prefix, 0o755) != 0 && errno != EEXIST { throw refuse(errno) }
            }
            guard let st = try? Posix.stat(dir), st.isDirectory else { throw refuse(ENOTDIR) }
        }
        guard Posix.isWritable(dir) else { throw refuse(errno) }
        // access(2) says yes to root almost everywhere: creating a file tells the truth.
        let probe = dir + "/.tally-probe-\(Posix.pid)-\(hex8(UInt32.random(in: .min ... .max)))"
        let fd = Glibc.open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw refuse(errno) }
        Glibc.close(fd)
        Glibc.unlink(probe)
    }

    private static func hex8(_ v: UInt32) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 8 - s.count) + s
    }
}

/// Receives the pieces of one streamed line; see `SpoolWriter.appendStreamingLine`.
final class LineSink {
    fileprivate let write: (UnsafeRawBufferPointer) throws(SpoolError) -> Void
    fileprivate init(_ write: @escaping (UnsafeRawBufferPointer) throws(SpoolError) -> Void) { self.write = write }
    func callAsFunction(_ piece: UnsafeRawBufferPointer) throws(SpoolError) { try write(piece) }
}

private let logger = Logger(label: "tally.spool.writer")

/// State shared by a writer and its interval-sync thread.
private final class Shared: Sendable {
    let core: Mutex<WriterCore>
    let stopPipe: (read: Int32, write: Int32)

    init(core: sending WriterCore, stopPipe: (read: Int32, write: Int32)) {
        self.core = Mutex(core)
        self.stopPipe = stopPipe
    }

    deinit {
        Posix.close(stopPipe.read)
        Posix.close(stopPipe.write)
    }

    func runSyncLoop(periodMs: Int32) {
        while !Posix.waitReadable(stopPipe.read, timeoutMilliseconds: periodMs) {
            core.withLock { core in
                do throws(SpoolError) { try core.sync() } catch {
                    logger.error("interval fsync failed", metadata: ["error": "\(error)"])
                    core.pendingError = error
                }
            }
        }
    }
}

/// The writer's state; only touched with the writer's mutex held (hence `@unchecked Sendable`).
private final class WriterCore: @unchecked Sendable {
    struct Active {
        var fd: Int32
        var id: SegmentID
        var path: String
        var bytes: Int64
        var opened: ContinuousClock.Instant
        var directoryDurable: Bool
    }

    let directory: String
    let dirFD: Int32
    let producer: String
    let writerID: String
    let configuration: SpoolConfiguration
    let compressor: ZstdCompressor
    let output: ByteBuffer
    let joinBuffer = ByteBuffer(capacity: 1 << 16)
    private let scratch: ByteBuffer
    var sequence: UInt64 = 0
    var active: Active?
    var dirty = false
    var lastSync = ContinuousClock.now
    var closed = false
    var pendingError: SpoolError?

    init(directory: String, dirFD: Int32, producer: String, writerID: String, configuration: SpoolConfiguration) throws(SpoolError) {
        self.directory = directory
        self.dirFD = dirFD
        self.producer = producer
        self.writerID = writerID
        self.configuration = configuration
        compressor = try ZstdCompressor(level: configuration.compressionLevel, path: directory)
        output = ByteBuffer(capacity: Zstd.compressBound(configuration.maxFrameBytes))
        scratch = ByteBuffer(capacity: 1 << 16)
    }

    deinit {
        if let active { Posix.close(active.fd) }
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

    private func openSegment() throws(SpoolError) -> Active {
        if let active { return active }
        sequence += 1
        let id = SegmentID(producer: producer, writer: writerID, sequence: sequence)
        let path = directory + "/" + id.activeFileName
        // Created under a hidden name, locked, then renamed: a reader never sees an
        // active segment whose writer does not hold the lock.
        let temporary = directory + "/" + id.temporaryFileName
        let fd = try io { try Posix.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_APPEND, mode: 0o644) }
        do throws(SpoolError) {
            guard try io({ try Posix.tryLock(fd, exclusive: true, path: temporary) }) else {
                throw SpoolError(code: .io, operation: "cannot lock", message: "lock held by another process", path: temporary)
            }
            try io { try Posix.rename(temporary, path) }
        } catch {
            Posix.close(fd)
            try? Posix.unlink(temporary)
            throw error
        }
        let segment = Active(fd: fd, id: id, path: path, bytes: 0, opened: .now, directoryDurable: false)
        active = segment
        return segment
    }

    /// fsync, rename to the sealed name, fsync the directory, close (releasing the lock).
    func seal() throws(SpoolError) {
        guard var segment = active else { return }
        try io { try Posix.fdatasync(segment.fd, path: segment.path) }
        let sealed = directory + "/" + segment.id.fileName
        try io { try Posix.rename(segment.path, sealed) }
        segment.path = sealed
        active = nil
        dirty = false
        defer { Posix.close(segment.fd) }
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

    /// Gives up the active segment after a failed write that could not be undone:
    /// it stays as an abandoned segment with a torn tail; the next append starts a new one.
    private func abandon() {
        guard let segment = active else { return }
        logger.error("abandoning segment after a failed write", metadata: ["segment": "\(segment.path)"])
        Posix.close(segment.fd)
        active = nil
    }

    /// Writes one compressed frame; on failure undoes the partial write or abandons the segment.
    private func writeFrame(_ frame: UnsafeRawBufferPointer) throws(SpoolError) {
        var segment = try openSegment()
        do throws(SpoolError) {
            try io { try Posix.writeAll(segment.fd, frame, path: segment.path) }
        } catch {
            rollBack(to: segment.bytes)
            throw error
        }
        segment.bytes += Int64(frame.count)
        active = segment
        dirty = true
    }

    private func rollBack(to length: Int64) {
        guard let segment = active else { return }
        do throws(SpoolError) { try io { try Posix.ftruncate(segment.fd, length, path: segment.path) } } catch { abandon() }
    }

    // MARK: appending

    func appendBatch(_ batch: UnsafeRawBufferPointer) throws(SpoolError) {
        try checkOpen()
        try rotateIfDue()
        let base = batch.baseAddress!
        let limit = configuration.maxFrameBytes
        var start = 0
        while start < batch.count {
            var end: Int
            if batch.count - start <= limit {
                end = batch.count
            } else if let nl = lastNewline(base + start, limit) {
                end = start + nl + 1
            } else if let nl = firstNewline(base + start + limit, batch.count - start - limit) {
                end = start + limit + nl + 1   // one line longer than a frame: a frame of its own
            } else {
                end = batch.count
            }
            var piece = UnsafeRawBufferPointer(start: base + start, count: end - start)
            if end == batch.count && batch[end - 1] != 0x0A {
                scratch.reserve(piece.count + 1)
                scratch.base.copyMemory(from: piece.baseAddress!, byteCount: piece.count)
                scratch.base.storeBytes(of: 0x0A, toByteOffset: piece.count, as: UInt8.self)
                piece = UnsafeRawBufferPointer(start: scratch.base, count: piece.count + 1)
            }
            let n = try compressor.compressFrame(piece, into: output, path: directory)
            try writeFrame(UnsafeRawBufferPointer(start: output.base, count: n))
            start = end
            if let segment = active, segment.bytes >= configuration.maxSegmentBytes { try seal() }
        }
        try afterBatch()
    }

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
        if var s = active {
            s.bytes += written
            active = s
        }
        dirty = true
        if let s = active, s.bytes >= configuration.maxSegmentBytes { try seal() }
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
            try io { try Posix.fdatasync(segment.fd, path: segment.path) }
            dirty = false
        }
        if !segment.directoryDurable {
            try io { try Posix.fsync(dirFD, path: directory) }
            segment.directoryDurable = true
            active = segment
        }
    }

    func close() throws(SpoolError) {
        guard !closed else { return }
        closed = true
        try seal()
    }
}

@inline(__always)
private func lastNewline(_ p: UnsafeRawPointer, _ count: Int) -> Int? {
    let bytes = p.assumingMemoryBound(to: UInt8.self)
    var i = count - 1
    while i >= 0 {
        if bytes[i] == 0x0A { return i }
        i -= 1
    }
    return nil
}

@inline(__always)
func firstNewline(_ p: UnsafeRawPointer, _ count: Int) -> Int? {
    guard count > 0, let hit = memchr(p, 0x0A, count) else { return nil }
    return UnsafeRawPointer(hit) - p
}
