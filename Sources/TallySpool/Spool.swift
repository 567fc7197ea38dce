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
    /// write order). Other files, and hidden files being created, are ignored.
    public func segments() throws(SpoolError) -> [Segment] {
        var result: [Segment] = []
        for name in try visibleNames() {
            guard let id = SegmentID(fileName: name) else { continue }
            let path = directory + "/" + name
            guard let st = try io({ try Posix.stat(path) }), st.isRegular else { continue }   // renamed since listing
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

    /// The directory's names less the hidden ones, which writers create and remove: a segment
    /// before its lock is held (``SegmentID/temporaryFileName``) and the writer's probe file.
    private func visibleNames() throws(SpoolError) -> [String] {
        try io { try Posix.listDirectory(directory) }.filter { !$0.hasPrefix(".") }
    }

    /// Opens a reader on a segment, whether it is sealed or still active.
    public func reader(for id: SegmentID) throws(SpoolError) -> SegmentReader {
        let sealed = directory + "/" + id.fileName
        let active = directory + "/" + id.activeFileName
        // Sealed first, then active, then sealed again (sealed in between).
        for path in [sealed, active, sealed] {
            do throws(SpoolError) {
                return try SegmentReader(path: path)
            } catch where error.errno == 2 /* ENOENT */ {
                continue
            }
        }
        throw SpoolError(SystemError("cannot open", sealed, errno: 2))
    }
}
