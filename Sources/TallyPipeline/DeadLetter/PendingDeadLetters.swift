internal import TallyPosix
import TallySnapshot

/// The dead letters of the snapshot generation being built, bounded in memory: records gather in
/// ``buffer`` and, past ``spillBytes``, go to that generation's file (appended, not yet fsynced),
/// so a flood of invalid lines, or snapshots failing for a while, never holds more than about
/// ``spillBytes`` here. ``flush(generation:)`` completes the file (fsynced, its directory too when
/// new) just before the generation commits. A file of a generation that never commits is removed
/// at the next start (``SnapshotDirectory/DeadLetters/removeUncommitted(after:)``).
struct PendingDeadLetters {
    static let spillBytes = 1 << 20

    let files: SnapshotDirectory.DeadLetters
    /// Records not yet in the file, NDJSON.
    var buffer: [UInt8] = []
    /// Lines dead-lettered since the last commit (in the buffer or the file).
    private(set) var lines = 0
    /// The bytes of the generation's file written so far (0: no file yet).
    private var written: Int64 = 0
    private var directoryReady = false
    /// Whether the file's directory entry is durable (once per generation, at its flush).
    private var entrySynced = false

    init(files: SnapshotDirectory.DeadLetters) {
        self.files = files
    }

    /// Whether the generation being built has dead letters.
    var isEmpty: Bool { buffer.isEmpty && written == 0 }

    /// Moves the buffer to the file of `generation` when it holds ``spillBytes`` or more.
    mutating func spillIfLarge(generation: Int64) throws {
        guard buffer.count >= Self.spillBytes else { return }
        try write(generation: generation, sync: false)
    }

    /// Writes what is buffered to the file of `generation` and makes the file durable.
    mutating func flush(generation: Int64) throws {
        guard !isEmpty else { return }
        try write(generation: generation, sync: true)
    }

    /// The generation committed: its file is complete; the next one starts empty.
    mutating func committed() {
        buffer.removeAll(keepingCapacity: buffer.capacity <= 2 * Self.spillBytes)
        written = 0
        lines = 0
        entrySynced = false
    }

    private mutating func write(generation: Int64, sync: Bool) throws {
        if !directoryReady {
            try files.create()
            directoryReady = true
        }
        let path = files.path(generation: generation)
        try FileOperations.append(buffer, to: path, at: written, mode: SnapshotDirectory.filePermissions, sync: sync)
        if sync && !entrySynced {
            try FileOperations.syncDirectory(files.directory)
            entrySynced = true
        }
        written += Int64(buffer.count)
        lines += buffer.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        buffer.removeAll(keepingCapacity: true)
    }
}
