internal import Glibc
internal import TallyPosix

/// A spool directory, seen by a reader: which segments it holds.
///
/// ```swift
/// let spool = Spool(directory: "/var/spool/tally")
/// for segment in try spool.segments() {        // sorted: producer, writer, sequence
///     let reader = try SegmentReader(path: segment.path)
///     let end = try reader.read(from: 0) { event in /* ... */ }
/// }
/// ```
public struct Spool: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// One segment file as listed.
    public struct Segment: Sendable, Hashable {
        public let id: SegmentID
        /// The file's path when listed (`.zst` when sealed, `.zst.open` when active or abandoned).
        public let path: String
        /// Whether the name ends in `.zst`: sealed segments never change again.
        public let isSealed: Bool
        /// The file size when listed.
        public let size: Int64
    }

    /// Every segment in the directory, sorted by ``SegmentID`` (each writer's segments in
    /// write order). Other files, and hidden files being created, are ignored, and so is an
    /// entry named like a segment that is not a regular file: a symlink is never followed
    /// (`lstat`), a FIFO never opened (see ``nonRegularSegmentFiles()``).
    public func segments() throws(SpoolError) -> [Segment] {
        var result: [Segment] = []
        for name in try visibleNames() {
            guard let id = SegmentID(fileName: name) else { continue }
            let path = directory + "/" + name
            // nil: renamed since listing.
            guard let st = try io({ try Posix.lstat(path) }), st.isRegular else { continue }
            result.append(Segment(id: id, path: path, isSealed: !SegmentID.isActiveFileName(name), size: st.size))
        }
        // A segment sealed between readdir and stat can be listed twice; keep the sealed entry.
        result.sort { $0.id == $1.id ? $0.isSealed && !$1.isSealed : $0.id < $1.id }
        var seen = Set<SegmentID>()
        return result.filter { seen.insert($0.id).inserted }
    }

    /// The names of the files in the directory that are not segments (nor a writer's hidden
    /// files): what a reader never reads, and a consumer may warn about. Unsorted.
    public func nonSegmentFileNames() throws(SpoolError) -> [String] {
        try visibleNames().filter { SegmentID(fileName: $0) == nil }
    }

    /// An entry named like a segment that is not a regular file, which no reader opens.
    public struct NonRegularFile: Sendable, Hashable {
        public let name: String
        /// What it is: "symbolic link", "FIFO", "directory", "socket", "character device", …
        public let kind: String
    }

    /// The entries named like segments that are not regular files (a planted symlink, a FIFO, a
    /// directory): ``segments()`` leaves them out and no reader opens them; a consumer may warn
    /// about them. Unsorted.
    public func nonRegularSegmentFiles() throws(SpoolError) -> [NonRegularFile] {
        var result: [NonRegularFile] = []
        for name in try visibleNames() where SegmentID(fileName: name) != nil {
            guard let st = try io({ try Posix.lstat(directory + "/" + name) }), !st.isRegular else { continue }
            result.append(NonRegularFile(name: name, kind: st.kind))
        }
        return result
    }

    /// Forgets the writer streams of `cursor` that are gone from the spool: no segment of the
    /// stream is in `listing` (this spool's ``segments()``), and the segment its position is in
    /// exists under neither of its names. Their files were consumed and deleted (finished
    /// positions), or deleted before they were read to their end: nothing of them is left to
    /// read, and a later segment of that writer would be read from its start either way.
    ///
    /// Checking the position's segment by name (active name first, then sealed) keeps a stream
    /// whose segment a listing missed while its writer renamed it. Thousands of short-lived
    /// writers so leave no trace in the cursor once their segments are gone.
    public func forgetGoneStreams(in cursor: inout SpoolCursor, listing: some Sequence<Segment>) throws(SpoolError) {
        let present = Set(listing.lazy.map { SpoolCursor.streamKey(of: $0.id) })
        for (key, position) in cursor.positions where !present.contains(key) {
            let id = position.segment
            let active = try io { try Posix.lstat(directory + "/" + id.activeFileName) }
            if active?.isRegular == true { continue }
            let sealed = try io { try Posix.lstat(directory + "/" + id.fileName) }
            if sealed?.isRegular == true { continue }
            cursor.positions[key] = nil
        }
    }

    /// The directory's names less the hidden ones, which writers create and remove: a segment
    /// before its lock is held (``SegmentID/temporaryFileName``) and the writer's probe file.
    private func visibleNames() throws(SpoolError) -> [String] {
        try io { try Posix.listDirectory(directory) }.filter { !$0.hasPrefix(".") }
    }

    /// Opens a reader on a segment, whether it is sealed or still active. Only a regular file is
    /// opened, and a symlink is never followed: a name taken by anything else counts as absent,
    /// and when neither name holds a regular file the error is ``SpoolError/Code/notARegularFile``
    /// (or `ENOENT` when both are absent).
    public func reader(for id: SegmentID, maxLineBytes: Int = 1 << 20) throws(SpoolError) -> SegmentReader {
        let sealed = directory + "/" + id.fileName
        let active = directory + "/" + id.activeFileName
        var refused: SpoolError?
        // Sealed first, then active, then sealed again (sealed in between).
        for path in [sealed, active, sealed] {
            do throws(SpoolError) {
                return try SegmentReader(path: path, followSymlinks: false, maxLineBytes: maxLineBytes)
            } catch where error.errno == ENOENT {
                continue
            } catch where error.code == .notARegularFile {
                refused = error
                continue
            }
        }
        throw refused ?? SpoolError(SystemError("cannot open", sealed, errno: ENOENT))
    }
}
