#if canImport(Glibc)
internal import Glibc
#endif

/// Whole small files written so that a reader sees either the old file or the new
/// one, never a part: dead-letter batches, lock files, anything next to a spool.
///
/// ```swift
/// try DurableFile.write(Array("hello\n".utf8), to: "/var/lib/tally/dead-letter/000001.ndjson")
/// ```
public enum DurableFile {
    /// Writes `bytes` to a hidden temporary file beside `path`, fsyncs it, renames it
    /// to `path` and fsyncs the directory: after it returns the file survives power loss.
    public static func write(_ bytes: [UInt8], to path: String) throws(SpoolError) {
        let directory = parentDirectory(of: path)
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let temporary = directory + "/." + name + ".tmp-\(Sys.pid)"
        let fd = try Sys.open(temporary, O_WRONLY | O_CREAT | O_TRUNC)
        do throws(SpoolError) {
            try writeAll(fd, bytes, path: temporary)
            try Sys.fsync(fd, path: temporary)
            Sys.close(fd)
        } catch {
            Sys.close(fd)
            try? Sys.unlink(temporary)
            throw error
        }
        try Sys.rename(temporary, path)
        try syncDirectory(directory)
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(SpoolError) {
        var failure: SpoolError?
        bytes.withUnsafeBytes { buffer in
            do throws(SpoolError) { try Sys.writeAll(fd, buffer, path: path) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Creates `path` and its missing parents (like `mkdir -p`).
    public static func createDirectory(_ path: String) throws(SpoolError) {
        if let st = try Sys.stat(path) {
            if st.isDirectory { return }
            throw Sys.error("cannot create directory", path, ENOTDIR)
        }
        let parent = parentDirectory(of: path)
        if parent != path { try createDirectory(parent) }
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw Sys.error("cannot create directory", path) }
    }

    /// Removes a file; a file that is already gone is not an error.
    public static func remove(_ path: String) throws(SpoolError) {
        if unlink(path) != 0 && errno != ENOENT { throw Sys.error("cannot remove", path) }
    }

    /// The names in a directory (without `.` and `..`); an empty list when it does not exist.
    public static func list(_ directory: String) throws(SpoolError) -> [String] {
        guard try Sys.stat(directory) != nil else { return [] }
        return try Sys.listDirectory(directory)
    }

    /// `fsync(2)` of a directory, so that renames and new entries in it are durable.
    static func syncDirectory(_ directory: String) throws(SpoolError) {
        let fd = try Sys.openDirectory(directory)
        defer { Sys.close(fd) }
        try Sys.fsync(fd, path: directory)
    }

    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

/// What `stat(2)` says of a path, for the tools that walk spools and inputs.
public struct FileEntry: Sendable, Hashable {
    public var size: Int64
    public var isDirectory: Bool
    public var isRegular: Bool
    /// Last modification time, epoch milliseconds.
    public var modifiedAt: Int64

    /// `nil` when nothing is at `path`.
    public static func stat(_ path: String) throws(SpoolError) -> FileEntry? {
        var s = Glibc.stat()
        while statPath(path, &s) != 0 {
            if errno == EINTR { continue }
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw Sys.error("cannot stat", path)
        }
        let mode = s.st_mode & S_IFMT
        return FileEntry(
            size: Int64(s.st_size), isDirectory: mode == S_IFDIR, isRegular: mode == S_IFREG,
            modifiedAt: Int64(s.st_mtim.tv_sec) * 1000 + Int64(s.st_mtim.tv_nsec) / 1_000_000)
    }
}

private func statPath(_ path: String, _ s: inout stat) -> Int32 { stat(path, &s) }
