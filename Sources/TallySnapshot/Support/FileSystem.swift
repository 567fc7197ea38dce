#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// The POSIX calls snapshots need, each wrapped once: retries `EINTR`, throws ``SnapshotError``
/// (code `.io`) with the errno text and the path.
enum FileSystem {
    static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }

    static func ioError(_ what: String, _ path: String, _ code: Int32 = errno) -> SnapshotError {
        SnapshotError(code: .io, message: "\(what) \(path): \(errorText(code))", path: path)
    }

    private static func retrying<T: BinaryInteger>(_ what: String, _ path: String, _ call: () -> T) throws(SnapshotError) -> T {
        while true {
            let result = call()
            if result >= 0 { return result }
            let code = errno
            if code != EINTR { throw ioError(what, path, code) }
        }
    }

    /// `mkdir -p`.
    static func createDirectory(_ path: String) throws(SnapshotError) {
        var partial = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            partial += component + "/"
            if mkdir(partial, 0o755) != 0, errno != EEXIST { throw ioError("cannot create directory", partial) }
        }
        guard isDirectory(path) else { throw SnapshotError(code: .io, message: "not a directory: \(path)", path: path) }
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// Names in a directory (`opendir`/`readdir`), without `.` and `..`, unsorted.
    static func list(_ directory: String) throws(SnapshotError) -> [String] {
        guard let dir = opendir(directory) else { throw ioError("cannot list", directory) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func readFile(_ path: String) throws(SnapshotError) -> [UInt8] {
        let fd = try retrying("cannot open", path) { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = try retrying("cannot read", path) { chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) } }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    /// Writes `bytes` to `path + ".tmp"`, fsyncs it, and renames it over `path`.
    /// The caller fsyncs the directory (``syncDirectory(_:)``) to make the rename durable.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(SnapshotError) {
        let temporary = path + ".tmp"
        let fd = try retrying("cannot create", temporary) { open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
        do throws(SnapshotError) {
            var done = 0
            while done < bytes.count {
                done += try retrying("cannot write", temporary) {
                    bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
                }
            }
            _ = try retrying("cannot fsync", temporary) { fsync(fd) }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        if rename(temporary, path) != 0 {
            let code = errno
            unlink(temporary)
            throw ioError("cannot rename \(temporary) to", path, code)
        }
    }

    /// `fsync` of a file written through another descriptor (the kernel flushes the file, whoever wrote it).
    static func syncFile(_ path: String) throws(SnapshotError) {
        let fd = try retrying("cannot open", path) { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        _ = try retrying("cannot fsync", path) { fsync(fd) }
    }

    /// `fsync` of a directory, so renames and unlinks in it are durable.
    static func syncDirectory(_ path: String) throws(SnapshotError) {
        let fd = try retrying("cannot open", path) { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { close(fd) }
        _ = try retrying("cannot fsync", path) { fsync(fd) }
    }

    static func remove(_ path: String) {
        unlink(path)
    }

    /// Opens (creating) `path` and takes an exclusive `flock` without waiting.
    /// Returns the descriptor that holds the lock, or `nil` when another process holds it.
    static func lockExclusively(_ path: String) throws(SnapshotError) -> Int32? {
        let fd = try retrying("cannot open", path) { open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644) }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            close(fd)
            if code == EWOULDBLOCK { return nil }
            throw ioError("cannot lock", path, code)
        }
        return fd
    }

    static func closeDescriptor(_ fd: Int32) {
        close(fd)
    }

    /// Wall-clock time in epoch milliseconds.
    static func nowMs() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}

/// CRC-32 (IEEE, as zlib and `cksum -o 3`), to check a state file against its manifest.
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
