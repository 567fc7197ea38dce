internal import Glibc
internal import TallyPosix

/// The segment a writer appends to, from its creation to its sealing: the open, locked file
/// `<name>.zst.open` and what the writer knows of it.
///
/// Lifecycle: ``create(_:in:)`` (under a hidden name, locked, then renamed, so a reader never
/// sees an active segment whose writer does not hold the lock), ``write(_:)`` frames,
/// ``syncData()`` and ``rename(toSealedIn:)`` (`<name>.zst`) to seal it, or ``close()`` alone to
/// abandon it after a failed write or fsync: it then stays `.zst.open` (with a torn tail after a
/// failed write, which readers skip).
struct ActiveSegment {
    let fd: Int32
    let id: SegmentID
    private(set) var path: String
    /// The file's length: the bytes of the frames written.
    private(set) var bytes: Int64 = 0
    let opened: ContinuousClock.Instant
    /// Whether the directory was fsynced since the file was created (its name is durable).
    var directoryDurable = false

    private init(fd: Int32, id: SegmentID, path: String) {
        self.fd = fd
        self.id = id
        self.path = path
        opened = .now
    }

    /// The permissions of a segment file, whatever the umask: the writer's group (a consumer
    /// in the producers' group) may read it, other users may not.
    static let permissions: UInt32 = 0o640

    /// Creates segment `id` in `directory`, locked by this process. The file is new
    /// (`O_EXCL | O_NOFOLLOW`: a file or symlink planted at its name is never written through)
    /// and gets ``permissions`` exactly.
    static func create(_ id: SegmentID, in directory: String) throws(SpoolError) -> ActiveSegment {
        let path = directory + "/" + id.activeFileName
        let temporary = directory + "/" + id.temporaryFileName
        let fd = try io {
            try Posix.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_APPEND, mode: permissions)
        }
        do throws(SpoolError) {
            try io { try Posix.fchmod(fd, permissions, path: temporary) }
            guard try io({ try Posix.tryLock(fd, exclusive: true, path: temporary) }) else {
                throw SpoolError(code: .io, operation: "cannot lock", message: "lock held by another process", path: temporary)
            }
            try io { try Posix.rename(temporary, path) }
        } catch {
            Posix.close(fd)
            try? Posix.unlink(temporary)
            throw error
        }
        return ActiveSegment(fd: fd, id: id, path: path)
    }

    /// Writes one whole frame; on failure the file may hold part of it (see ``truncate(to:)``).
    mutating func write(_ frame: UnsafeRawBufferPointer) throws(SpoolError) {
        try io { try Posix.writeAll(fd, frame, path: path) }
        bytes += Int64(frame.count)
    }

    /// Counts `count` bytes written to ``fd`` directly (a streamed frame).
    mutating func noteWritten(_ count: Int64) {
        bytes += count
    }

    /// Cuts the file back to `length` bytes, undoing a partial write.
    func truncate(to length: Int64) throws(SpoolError) {
        try io { try Posix.ftruncate(fd, length, path: path) }
    }

    /// `fdatasync` of the file data.
    func syncData() throws(SpoolError) {
        try io { try Posix.fdatasync(fd, path: path) }
    }

    /// Renames the file to its sealed name (the caller has synced it: see ``syncData()``).
    /// The file stays open (and locked) until ``close()``.
    mutating func rename(toSealedIn directory: String) throws(SpoolError) {
        let sealed = directory + "/" + id.fileName
        try io { try Posix.rename(path, sealed) }
        path = sealed
    }

    /// Closes the file, releasing its lock.
    func close() {
        Posix.close(fd)
    }
}
