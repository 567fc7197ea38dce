#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Thin wrappers over the system calls TallySpool uses. Each wraps one call,
/// retries `EINTR`, and throws ``SpoolError`` with the errno text and path.
enum Sys {
    static func errorText(_ code: Int32) -> String {
        var s = String(cString: strerror(code))
        if let first = s.first, first.isUppercase, s.dropFirst().first?.isLowercase ?? true {
            s = first.lowercased() + s.dropFirst()
        }
        return s
    }

    static func error(_ operation: String, _ path: String, _ code: Int32 = errno, offset: Int64? = nil) -> SpoolError {
        SpoolError(
            code: code == ENOTDIR ? .notADirectory : .io, operation: operation,
            message: errorText(code), path: path, offset: offset, errno: code)
    }

    /// Retries `call` while it fails with `EINTR`; returns its result or throws.
    @inline(__always)
    static func retrying<T: BinaryInteger>(_ operation: String, _ path: String, _ call: () -> T) throws(SpoolError) -> T {
        while true {
            let r = call()
            if r >= 0 { return r }
            let e = errno
            if e == EINTR { continue }
            throw error(operation, path, e)
        }
    }

    /// `open(2)` with `O_CLOEXEC` added.
    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o644) throws(SpoolError) -> Int32 {
        try retrying("cannot open", path) { Glibc.open(path, flags | O_CLOEXEC, mode) }
    }

    /// `open(2)` of a directory, for `fsync` of its entries.
    static func openDirectory(_ path: String) throws(SpoolError) -> Int32 {
        try retrying("cannot open", path) { Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
    }

    /// `close(2)`; never retried (Linux closes the descriptor even on `EINTR`).
    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// `write(2)` until all of `buffer` is written.
    static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, path: String) throws(SpoolError) {
        var done = 0
        while done < buffer.count {
            let n = try retrying("cannot write", path) {
                Glibc.write(fd, buffer.baseAddress! + done, buffer.count - done)
            }
            done += n
        }
    }

    /// `pread(2)`: reads up to `count` bytes at `offset`; 0 at end of file.
    static func pread(_ fd: Int32, _ into: UnsafeMutableRawPointer, _ count: Int, _ offset: Int64, path: String) throws(SpoolError) -> Int {
        try retrying("cannot read", path) { Glibc.pread(fd, into, count, off_t(offset)) }
    }

    /// `read(2)`.
    static func read(_ fd: Int32, _ into: UnsafeMutableRawPointer, _ count: Int, path: String) throws(SpoolError) -> Int {
        try retrying("cannot read", path) { Glibc.read(fd, into, count) }
    }

    /// `fsync(2)`: file data and metadata (used for directories).
    static func fsync(_ fd: Int32, path: String) throws(SpoolError) {
        _ = try retrying("cannot fsync", path) { Glibc.fsync(fd) }
    }

    /// `fdatasync(2)`: file data and the metadata needed to read it back (size).
    static func fdatasync(_ fd: Int32, path: String) throws(SpoolError) {
        _ = try retrying("cannot fsync", path) { Glibc.fdatasync(fd) }
    }

    /// `rename(2)`, atomic within one file system.
    static func rename(_ from: String, _ to: String) throws(SpoolError) {
        _ = try retrying("cannot rename", from + " to " + to) { Glibc.rename(from, to) }
    }

    /// `unlink(2)`.
    static func unlink(_ path: String) throws(SpoolError) {
        _ = try retrying("cannot remove", path) { Glibc.unlink(path) }
    }

    /// `flock(2)` with `LOCK_NB`: `false` when another open file description holds a conflicting lock.
    static func tryLock(_ fd: Int32, exclusive: Bool, path: String) throws(SpoolError) -> Bool {
        while true {
            if c_flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0 { return true }
            let e = errno
            if e == EINTR { continue }
            if e == EWOULDBLOCK || e == EAGAIN { return false }
            throw error("cannot lock", path, e)
        }
    }

    /// `flock(2)` with `LOCK_UN`.
    static func unlock(_ fd: Int32) {
        _ = c_flock(fd, LOCK_UN)
    }

    /// `ftruncate(2)`.
    static func ftruncate(_ fd: Int32, _ length: Int64, path: String) throws(SpoolError) {
        _ = try retrying("cannot truncate", path) { Glibc.ftruncate(fd, off_t(length)) }
    }

    struct FileStatus {
        var size: Int64
        var device: UInt64
        var inode: UInt64
        var isDirectory: Bool
        var isRegular: Bool
    }

    private static func status(_ s: stat) -> FileStatus {
        FileStatus(
            size: Int64(s.st_size), device: UInt64(s.st_dev), inode: UInt64(s.st_ino),
            isDirectory: (s.st_mode & S_IFMT) == S_IFDIR, isRegular: (s.st_mode & S_IFMT) == S_IFREG)
    }

    /// `fstat(2)`.
    static func fstat(_ fd: Int32, path: String) throws(SpoolError) -> FileStatus {
        var s = Glibc.stat()
        _ = try retrying("cannot stat", path) { c_fstat(fd, &s) }
        return status(s)
    }

    /// `stat(2)`; `nil` when the path does not exist.
    static func stat(_ path: String) throws(SpoolError) -> FileStatus? {
        var s = Glibc.stat()
        while c_stat(path, &s) != 0 {
            let e = errno
            if e == EINTR { continue }
            if e == ENOENT { return nil }
            throw error("cannot stat", path, e)
        }
        return status(s)
    }

    /// `access(2)` with `W_OK`: whether this process may create files in `path`.
    static func isWritable(_ path: String) -> Bool {
        Glibc.access(path, W_OK | X_OK) == 0
    }

    /// `opendir(3)`/`readdir(3)`: the names in a directory, without `.` and `..`.
    static func listDirectory(_ path: String) throws(SpoolError) -> [String] {
        guard let dir = opendir(path) else { throw error("cannot list", path) }
        defer { closedir(dir) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(dir) else {
                if errno != 0 && errno != EINTR { throw error("cannot list", path) }
                break
            }
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// `getpid(2)`.
    static var pid: Int32 { getpid() }

    /// `clock_gettime(CLOCK_REALTIME)` as (seconds, nanoseconds).
    static func wallClock() -> (seconds: Int, nanoseconds: Int) {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return (Int(ts.tv_sec), Int(ts.tv_nsec))
    }

    /// `gmtime_r(3)` formatted as `YYYYMMDDTHHMMSS`.
    static func utcStamp(_ seconds: Int) -> String {
        var t = time_t(seconds)
        var tm = Glibc.tm()
        gmtime_r(&t, &tm)
        func pad(_ v: Int32, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return pad(tm.tm_year + 1900, 4) + pad(tm.tm_mon + 1, 2) + pad(tm.tm_mday, 2) + "T"
            + pad(tm.tm_hour, 2) + pad(tm.tm_min, 2) + pad(tm.tm_sec, 2)
    }

    /// `pipe2(2)` with `O_CLOEXEC`.
    static func pipe() throws(SpoolError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        _ = try retrying("cannot create", "pipe") { Glibc.pipe(&fds) }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        return (fds[0], fds[1])
    }

    /// `poll(2)` for readability of one descriptor; `true` when readable, `false` on timeout.
    static func waitReadable(_ fd: Int32, timeoutMilliseconds: Int32) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            let r = poll(&p, 1, timeoutMilliseconds)
            if r < 0 && errno == EINTR { continue }
            return r > 0
        }
    }

    /// `pthread_create(3)`: runs `body` on a new thread; join it with ``join(_:)``.
    static func startThread(_ body: @escaping @Sendable () -> Void) -> pthread_t {
        final class Box { let body: @Sendable () -> Void; init(_ b: @escaping @Sendable () -> Void) { body = b } }
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { arg in
            let box = Unmanaged<Box>.fromOpaque(arg!).takeRetainedValue()
            box.body()
            return nil
        }, box)
        precondition(rc == 0, "pthread_create failed: \(rc)")
        return thread
    }

    /// `pthread_join(3)`.
    static func join(_ thread: pthread_t) {
        _ = pthread_join(thread, nil)
    }
}

private func c_flock(_ fd: Int32, _ op: Int32) -> Int32 { flock(fd, op) }
private func c_fstat(_ fd: Int32, _ s: inout stat) -> Int32 { fstat(fd, &s) }
private func c_stat(_ path: String, _ s: inout stat) -> Int32 { stat(path, &s) }
