import Logging

internal import Glibc
internal import TallyPosix

/// Appends NDJSON lines to a spool directory as zstd frames in segment files
/// that this writer alone owns.
///
/// ```swift
/// let writer = try SpoolWriter(directory: "/var/spool/tally", producer: "api")
/// struct Started: Encodable { var type = "session_start"; var ts = Date(); var session_id: String }
/// try writer.append(event: Started(session_id: "s1"))
/// try writer.append(line: #"{"type":"log","ts":1761229800000,"level":"info","message":"up"}"#)
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
///
/// A failed fsync (in any mode, the background thread's included) fails the writer for
/// good: every later `append`, ``flush()`` and ``close()`` throws that error, and its segment
/// is left unsealed (`.zst.open`), since a kernel that failed to write data back may report
/// success for a later fsync of the same file. Open a new writer to go on. A failed write
/// (a full disk) only fails its own `append`: the partial frame is cut off again.
/// ``linesAppended`` says how many lines are in complete frames whatever happened.
///
/// Files: a spool directory the writer creates gets mode `0750`, segments `0640`, whatever
/// the umask, so that a consumer in the producers' group can read them and nobody else.
public final class SpoolWriter: Sendable {
    /// The spool directory.
    public let directory: String
    /// The producer name, the first part of every segment name.
    public let producer: String
    /// This writer's unique ID, the second part of its segment names.
    public let writerID: String
    public let configuration: SpoolConfiguration

    private let lockedCore: LockedWriterCore
    private let syncThread: IntervalSyncThread?

    /// Opens a writer on `directory`, creating the directory (and its parents) if missing.
    ///
    /// No file is created until the first non-empty append. `logger` receives what the writer
    /// cannot report through a throwing call: a failed interval fsync (thrown by every later
    /// append, flush and close), a segment abandoned after a failed write or fsync.
    /// - Throws: ``SpoolError`` with code `.notADirectory` when `directory` is a file,
    ///   `.io` when it cannot be created or written, `.invalidArgument` for a bad
    ///   producer name or configuration.
    public init(
        directory: String, producer: String, configuration: SpoolConfiguration = .init(),
        logger: Logger = Logger(label: "tally.spool.writer")
    ) throws(SpoolError) {
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
        self.writerID = Self.newWriterID()
        let dirFD = try io { try Posix.openDirectory(dir) }
        let writerCore: WriterCore
        do {
            writerCore = try WriterCore(
                directory: dir, dirFD: dirFD, producer: producer, writerID: writerID, configuration: configuration, logger: logger)
        } catch {
            Posix.close(dirFD)
            throw error
        }
        let lockedCore = LockedWriterCore(writerCore)
        self.lockedCore = lockedCore
        if case .interval(let d) = configuration.fsync {
            syncThread = try IntervalSyncThread(every: d / 2) {
                lockedCore.withLock { core in core.backgroundSync() }
            }
        } else {
            syncThread = nil
        }
    }

    deinit {
        try? close()
    }

    /// Appends NDJSON bytes: whole lines separated by `\n`. A missing final newline is added.
    /// An empty buffer is a no-op. Lines are not checked (invalid UTF-8 or JSON is appended as is).
    public func append(_ ndjson: UnsafeRawBufferPointer) throws(SpoolError) {
        guard ndjson.count > 0 else { return }
        try lockedCore.withLock { core throws(SpoolError) in try core.appendBatch(ndjson) }
    }

    /// Appends NDJSON bytes; see ``append(_:)-(UnsafeRawBufferPointer)``.
    public func append(_ ndjson: [UInt8]) throws(SpoolError) {
        try ndjson.withUnsafeBytes { buffer in
            Result { () throws(SpoolError) in try append(buffer) }
        }.get()
    }

    /// Appends one batch of lines, each given with or without its final newline: a line that
    /// ends in `\n` is appended once, as is the same line without it (a `\r` before the `\n`
    /// stays part of the line). A line that contains other `\n` bytes becomes several lines.
    ///
    /// (Earlier builds appended an empty line after each line given with its newline.)
    public func append<Lines: Sequence>(lines: Lines) throws(SpoolError) where Lines.Element: Collection<UInt8> {
        try lockedCore.withLock { core throws(SpoolError) in
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
                if n == 0 || joined.base.load(fromByteOffset: count - 1, as: UInt8.self) != 0x0A {
                    joined.base.storeBytes(of: 0x0A, toByteOffset: count, as: UInt8.self)
                    count += 1
                }
            }
            guard count > 0 else { return }
            try core.appendBatch(UnsafeRawBufferPointer(start: joined.base, count: count))
        }
    }

    /// The lines this writer has written to the spool in complete frames: they survive `kill -9`
    /// of the producer (and, per ``SpoolConfiguration/Fsync``, power loss). After a failed append
    /// it says how many of the lines given were kept, so that a retry can skip them.
    public var linesAppended: Int64 {
        lockedCore.withLock { core in core.linesAppended }
    }

    /// The failed fsync that failed this writer for good (thrown by every later append, flush and
    /// close); `nil` while it works.
    public var failure: SpoolError? {
        lockedCore.withLock { core in core.failure }
    }

    /// Makes everything appended so far durable now, whatever the fsync mode.
    public func flush() throws(SpoolError) {
        try lockedCore.withLock { core throws(SpoolError) in try core.sync() }
    }

    /// Seals the active segment (fsync, rename `.zst.open` → `.zst`, fsync of the
    /// directory) and stops the writer. Later appends throw `.closed`. Idempotent; a failed
    /// writer (a failed fsync) throws its failure each time and leaves its segment unsealed.
    public func close() throws(SpoolError) {
        let result = lockedCore.withLock { core -> Result<Void, SpoolError> in
            do throws(SpoolError) { try core.close() } catch { return .failure(error) }
            return .success(())
        }
        syncThread?.stop()
        try result.get()
    }

    /// Appends one line whose bytes arrive in pieces, as a frame of its own, without
    /// holding the whole line in memory. `body` feeds the pieces (without newline).
    func appendStreamingLine(_ body: (LineSink) throws -> Void) throws {
        try lockedCore.withLock { core in try core.appendStreamingLine(body) }
    }

    /// For tests: the next `fdatasync` of this writer's segment (the interval thread's included)
    /// fails with `errno`, once, as Linux reports a failed write-back once: a later fsync of the
    /// same file succeeds although the data may be gone.
    package func injectSyncFailure(errno: Int32) {
        lockedCore.withLock { core in core.injectedSyncErrno = errno }
    }

    /// `<UTC start>_<µs>Z-<pid>-<random>`: unique per writer, also across restarts, and sorting
    /// a producer's writers by start time.
    private static func newWriterID() -> String {
        let (s, ns) = WallClock.now()
        let micros = String(ns / 1000)
        return WallClock.utcStamp(s) + "_" + String(repeating: "0", count: 6 - micros.count) + micros + "Z-"
            + String(Posix.pid) + "-" + FileOperations.randomHex()
    }

    /// The permissions of a spool directory the writer creates (and of its missing parents),
    /// whatever the umask: the producers' group may list and read it, other users may not.
    static let directoryPermissions: UInt32 = 0o750

    /// Creates the directory if missing (`mkdir -p`, each new directory with
    /// ``directoryPermissions``) and checks that this process can create files in it.
    private static func prepareDirectory(_ dir: String) throws(SpoolError) {
        func refuse(_ code: Int32) -> SpoolError {
            var e = SpoolError(SystemError("cannot append to", dir, errno: code))
            if code == ENOTDIR || code == EEXIST { e.code = .notADirectory; e.message = "not a directory" }
            return e
        }
        do throws(SystemError) {
            try FileOperations.createDirectories(dir, mode: directoryPermissions, ignoringUmask: true)
        } catch {
            throw refuse(error.errno)
        }
        guard Posix.isWritable(dir) else { throw refuse(errno) }
        // access(2) says yes to root almost everywhere: creating a file tells the truth.
        let probe = dir + "/.tally-probe-\(Posix.pid)-\(FileOperations.randomHex())"
        do throws(SystemError) {
            Posix.close(try Posix.open(probe, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: 0o600))
        } catch {
            throw refuse(error.errno)
        }
        try? Posix.unlink(probe)
    }
}
