internal import Glibc

/// The system calls Tally uses, each wrapped once: `EINTR` is retried and a failure throws
/// ``SystemError`` with the errno and the path. Linux only.
///
/// ```swift
/// let fd = try Posix.open(path, O_RDONLY)
/// defer { Posix.close(fd) }
/// let count = try Posix.pread(fd, buffer, 4096, 0, path: path)
/// ```
package enum Posix {
    /// Retries `call` while it fails with `EINTR`; returns its result or throws.
    @inline(__always)
    static func retrying<T: BinaryInteger>(_ operation: String, _ path: String, _ call: () -> T) throws(SystemError) -> T {
        while true {
            let result = call()
            if result >= 0 { return result }
            let code = Glibc.errno
            if code == EINTR { continue }
            throw SystemError(operation, path, errno: code)
        }
    }

    /// `open(2)` with `O_CLOEXEC` added.
    package static func open(_ path: String, _ flags: Int32, mode: UInt32 = 0o644) throws(SystemError) -> Int32 {
        try retrying("cannot open", path) { Glibc.open(path, flags | O_CLOEXEC, mode_t(mode)) }
    }

    /// `open(2)` of a directory, for `fsync` of its entries.
    package static func openDirectory(_ path: String) throws(SystemError) -> Int32 {
        try retrying("cannot open", path) { Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
    }

    /// `close(2)`; never retried (Linux closes the descriptor even on `EINTR`).
    package static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// `write(2)` until all of `buffer` is written.
    package static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, path: String) throws(SystemError) {
        var done = 0
        while done < buffer.count {
            done += try retrying("cannot write", path) { Glibc.write(fd, buffer.baseAddress! + done, buffer.count - done) }
        }
    }

    /// `write(2)` until all of `bytes` is written.
    package static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(SystemError) {
        var done = 0
        while done < bytes.count {
            done += try retrying("cannot write", path) {
                bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, $0.count - done) }
            }
        }
    }

    /// `pread(2)`: reads up to `count` bytes at `offset`; 0 at end of file.
    package static func pread(_ fd: Int32, _ into: UnsafeMutableRawPointer, _ count: Int, _ offset: Int64, path: String) throws(SystemError) -> Int {
        try retrying("cannot read", path) { Glibc.pread(fd, into, count, off_t(offset)) }
    }

    /// `read(2)`.
    package static func read(_ fd: Int32, _ into: UnsafeMutableRawPointer, _ count: Int, path: String) throws(SystemError) -> Int {
        try retrying("cannot read", path) { Glibc.read(fd, into, count) }
    }

    /// One `read(2)` on a non-blocking descriptor, retried on `EINTR`; 0 or less when nothing is there.
    package static func readOnce(_ fd: Int32, _ into: UnsafeMutableRawPointer, _ count: Int) -> Int {
        while true {
            let n = Glibc.read(fd, into, count)
            if n < 0 && Glibc.errno == EINTR { continue }
            return n
        }
    }

    /// One `write(2)`, retried on `EINTR` (for wake-up pipes: a full pipe already wakes the reader).
    package static func writeOnce(_ fd: Int32, _ from: UnsafeRawPointer, _ count: Int) -> Int {
        while true {
            let n = Glibc.write(fd, from, count)
            if n < 0 && Glibc.errno == EINTR { continue }
            return n
        }
    }

    /// `fsync(2)`: file data and metadata (used for directories).
    package static func fsync(_ fd: Int32, path: String) throws(SystemError) {
        _ = try retrying("cannot fsync", path) { Glibc.fsync(fd) }
    }

    /// `fdatasync(2)`: file data and the metadata needed to read it back (size).
    package static func fdatasync(_ fd: Int32, path: String) throws(SystemError) {
        _ = try retrying("cannot fsync", path) { Glibc.fdatasync(fd) }
    }

    /// `rename(2)`, atomic within one file system.
    package static func rename(_ from: String, _ to: String) throws(SystemError) {
        _ = try retrying("cannot rename", from + " to " + to) { Glibc.rename(from, to) }
    }

    /// `link(2)`: a second name for `from`; `false` when something already exists at `to`
    /// (how a file is created once, whoever races for it).
    package static func link(_ from: String, _ to: String) throws(SystemError) -> Bool {
        while Glibc.link(from, to) != 0 {
            let code = Glibc.errno
            if code == EINTR { continue }
            if code == EEXIST { return false }
            throw SystemError("cannot link", from + " to " + to, errno: code)
        }
        return true
    }

    /// `unlink(2)`.
    package static func unlink(_ path: String) throws(SystemError) {
        _ = try retrying("cannot remove", path) { Glibc.unlink(path) }
    }

    /// `unlink(2)` of a file that may already be gone: only other failures throw.
    package static func remove(_ path: String) throws(SystemError) {
        while Glibc.unlink(path) != 0 {
            let code = Glibc.errno
            if code == EINTR { continue }
            if code == ENOENT { return }
            throw SystemError("cannot remove", path, errno: code)
        }
    }

    /// `mkdir(2)`; `false` when something already exists at `path`.
    package static func makeDirectory(_ path: String, mode: UInt32 = 0o755) throws(SystemError) -> Bool {
        while Glibc.mkdir(path, mode_t(mode)) != 0 {
            let code = Glibc.errno
            if code == EINTR { continue }
            if code == EEXIST { return false }
            throw SystemError("cannot create directory", path, errno: code)
        }
        return true
    }

    /// `flock(2)` with `LOCK_NB`: `false` when another open file description holds a conflicting lock.
    package static func tryLock(_ fd: Int32, exclusive: Bool, path: String) throws(SystemError) -> Bool {
        while true {
            if flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0 { return true }
            let code = Glibc.errno
            if code == EINTR { continue }
            if code == EWOULDBLOCK || code == EAGAIN { return false }
            throw SystemError("cannot lock", path, errno: code)
        }
    }

    /// `flock(2)` with `LOCK_UN`.
    package static func unlock(_ fd: Int32) {
        _ = flock(fd, LOCK_UN)
    }

    /// `ftruncate(2)`.
    package static func ftruncate(_ fd: Int32, _ length: Int64, path: String) throws(SystemError) {
        _ = try retrying("cannot truncate", path) { Glibc.ftruncate(fd, off_t(length)) }
    }

    /// `fchmod(2)`: sets the permission bits to exactly `mode` (the umask does not apply).
    package static func fchmod(_ fd: Int32, _ mode: UInt32, path: String) throws(SystemError) {
        _ = try retrying("cannot set permissions of", path) { Glibc.fchmod(fd, mode_t(mode)) }
    }

    /// `fstat(2)`.
    package static func fstat(_ fd: Int32, path: String) throws(SystemError) -> FileStatus {
        var info = Glibc.stat()
        _ = try retrying("cannot stat", path) { fstatDescriptor(fd, &info) }
        return FileStatus(info)
    }

    /// `stat(2)` (follows symlinks); `nil` when nothing is at `path`.
    package static func stat(_ path: String) throws(SystemError) -> FileStatus? {
        var info = Glibc.stat()
        while statPath(path, &info) != 0 {
            let code = Glibc.errno
            if code == EINTR { continue }
            if code == ENOENT || code == ENOTDIR { return nil }
            throw SystemError("cannot stat", path, errno: code)
        }
        return FileStatus(info)
    }

    /// `lstat(2)` (a symlink is described, not followed); `nil` when nothing is at `path`.
    package static func lstat(_ path: String) throws(SystemError) -> FileStatus? {
        var info = Glibc.stat()
        while lstatPath(path, &info) != 0 {
            let code = Glibc.errno
            if code == EINTR { continue }
            if code == ENOENT || code == ENOTDIR { return nil }
            throw SystemError("cannot stat", path, errno: code)
        }
        return FileStatus(info)
    }

    /// `access(2)` with `W_OK | X_OK`: whether this process may create files in `path`.
    package static func isWritable(_ path: String) -> Bool {
        Glibc.access(path, W_OK | X_OK) == 0
    }

    /// `opendir(3)`/`readdir(3)`: the names in a directory, without `.` and `..`, unsorted.
    package static func listDirectory(_ path: String) throws(SystemError) -> [String] {
        guard let directory = opendir(path) else { throw SystemError("cannot list", path, errno: Glibc.errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while true {
            Glibc.errno = 0
            guard let entry = readdir(directory) else {
                let code = Glibc.errno
                if code != 0 && code != EINTR { throw SystemError("cannot list", path, errno: code) }
                break
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// `getpid(2)`.
    package static var pid: Int32 { getpid() }

    /// `getcwd(3)`: the absolute working directory; `nil` when it cannot be named (removed, say).
    package static func currentDirectory() -> String? {
        guard let path = getcwd(nil, 0) else { return nil }
        defer { free(path) }
        return String(cString: path)
    }

    /// `pipe2(2)` with `O_CLOEXEC`.
    package static func pipe() throws(SystemError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        _ = try retrying("cannot create", "pipe") { Glibc.pipe(&fds) }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        return (fds[0], fds[1])
    }

    /// `fcntl(2)` `F_SETFL` adding `O_NONBLOCK`.
    package static func setNonBlocking(_ fd: Int32) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    /// `poll(2)` for readability of one descriptor; `true` when readable, `false` on timeout.
    package static func waitReadable(_ fd: Int32, timeoutMilliseconds: Int32) -> Bool {
        waitReadable([fd], timeoutMilliseconds: timeoutMilliseconds)
    }

    /// `poll(2)` for readability of several descriptors (negative ones are ignored); `true`
    /// when one is readable, `false` on timeout.
    package static func waitReadable(_ fds: [Int32], timeoutMilliseconds: Int32) -> Bool {
        var polled = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        while true {
            let result = poll(&polled, nfds_t(polled.count), timeoutMilliseconds)
            if result < 0 && Glibc.errno == EINTR { continue }
            return result > 0
        }
    }

    /// `inotify_init1(2)` with `IN_CLOEXEC | IN_NONBLOCK`; -1 when inotify is not available.
    package static func inotifyInit() -> Int32 {
        inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
    }

    /// `inotify_add_watch(2)`; -1 on failure (the caller then relies on its timeout).
    package static func inotifyAddWatch(_ fd: Int32, _ path: String, _ mask: UInt32) -> Int32 {
        inotify_add_watch(fd, path, mask)
    }

    /// `inotify_rm_watch(2)`.
    package static func inotifyRemoveWatch(_ fd: Int32, _ descriptor: Int32) {
        _ = inotify_rm_watch(fd, descriptor)
    }
}

private func statPath(_ path: String, _ info: inout stat) -> Int32 { stat(path, &info) }
private func lstatPath(_ path: String, _ info: inout stat) -> Int32 { lstat(path, &info) }
private func fstatDescriptor(_ fd: Int32, _ info: inout stat) -> Int32 { fstat(fd, &info) }
