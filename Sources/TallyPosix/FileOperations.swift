internal import Glibc

/// File operations built from ``Posix`` calls, each with one rule that every module shares:
/// one atomic write, one `mkdir -p`, one way to read a small file whole.
package enum FileOperations {
    /// Writes `bytes` so that a reader sees either the old file or the new one, never a part,
    /// and the new one survives power loss once this returns.
    ///
    /// The bytes go to a new hidden file beside `path` (`.NAME.RANDOM.tmp`, created with
    /// `O_EXCL | O_NOFOLLOW`, so a planted file or symlink is never written through), which is
    /// fsynced, renamed over `path`, and the directory fsynced (unless `syncDirectory` is `false`:
    /// for a caller that writes several files and fsyncs the directory once, after the last).
    package static func writeAtomically(
        _ bytes: [UInt8], to path: String, mode: UInt32 = 0o644, syncDirectory: Bool = true
    ) throws(SystemError) {
        let directory = parentDirectory(of: path)
        let temporary = try writeTemporary(bytes, beside: path, mode: mode)
        do throws(SystemError) {
            try Posix.rename(temporary, path)
        } catch {
            try? Posix.remove(temporary)
            throw error
        }
        if syncDirectory { try self.syncDirectory(directory) }
    }

    /// Creates the file at `path` with `bytes` only if nothing is there yet, atomically (a reader
    /// sees the whole file or none) and durably, whoever races for it: a fsynced temporary file
    /// is linked to `path` (`link(2)` never replaces). Returns `false` when `path` already existed.
    package static func createOnce(_ bytes: [UInt8], at path: String, mode: UInt32 = 0o600) throws(SystemError) -> Bool {
        let temporary = try writeTemporary(bytes, beside: path, mode: mode)
        defer { try? Posix.remove(temporary) }
        guard try Posix.link(temporary, path) else { return false }
        try syncDirectory(parentDirectory(of: path))
        return true
    }

    /// A new hidden file beside `path` (``isTemporaryName(_:)``) holding `bytes`, fsynced.
    private static func writeTemporary(_ bytes: [UInt8], beside path: String, mode: UInt32) throws(SystemError) -> String {
        let temporary = join(parentDirectory(of: path), "." + fileName(of: path) + "." + randomHex() + ".tmp")
        let fd = try Posix.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: mode)
        do throws(SystemError) {
            try Posix.writeAll(fd, bytes, path: temporary)
            try Posix.fsync(fd, path: temporary)
            Posix.close(fd)
        } catch {
            Posix.close(fd)
            try? Posix.remove(temporary)
            throw error
        }
        return temporary
    }

    /// Whether `name` is one of the temporary files ``writeAtomically(_:to:mode:syncDirectory:)``
    /// makes (`.NAME.XXXXXXXX.tmp`, eight hex digits).
    package static func isTemporaryName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard bytes.count >= 15, bytes[0] == UInt8(ascii: "."), name.hasSuffix(".tmp") else { return false }
        let random = bytes[(bytes.count - 13)..<(bytes.count - 4)]
        guard random.first == UInt8(ascii: ".") else { return false }
        return random.dropFirst().allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }

    /// Removes the temporary files a killed process left in `directory` (only regular files named
    /// like ``isTemporaryName(_:)``; a symlink or anything else so named is left alone). Returns
    /// the names removed.
    @discardableResult
    package static func removeTemporaryFiles(in directory: String) throws(SystemError) -> [String] {
        var removed: [String] = []
        for name in try listIfPresent(directory) where isTemporaryName(name) {
            let path = join(directory, name)
            guard try Posix.lstat(path)?.isRegular == true else { continue }
            try Posix.remove(path)
            removed.append(name)
        }
        return removed
    }

    /// Creates `path` and its missing parents (`mkdir -p`); each new directory is fsynced into
    /// its parent, so that it survives power loss. Something other than a directory at `path`
    /// (or at a parent) is `ENOTDIR`. With `ignoringUmask`, each directory it creates gets
    /// exactly `mode` (`fchmod`, through a descriptor that does not follow a symlink); existing
    /// directories keep theirs.
    package static func createDirectories(_ path: String, mode: UInt32 = 0o755, ignoringUmask: Bool = false) throws(SystemError) {
        if let status = try Posix.stat(path) {
            if status.isDirectory { return }
            throw SystemError("cannot create directory", path, errno: ENOTDIR)
        }
        let parent = parentDirectory(of: path)
        if parent != path {
            do throws(SystemError) { try createDirectories(parent, mode: mode, ignoringUmask: ignoringUmask) } catch {
                // Name the directory asked for, not the parent that stood in the way.
                throw SystemError("cannot create directory", path, errno: error.errno)
            }
        }
        if try Posix.makeDirectory(path, mode: mode) {
            if ignoringUmask {
                let fd = try Posix.open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW)
                defer { Posix.close(fd) }
                try Posix.fchmod(fd, mode, path: path)
            }
            try syncDirectory(parent)
        } else if try Posix.stat(path)?.isDirectory != true {
            throw SystemError("cannot create directory", path, errno: ENOTDIR)
        }
    }

    /// The whole content of a small file, at most `maxBytes` of it: a longer file is refused
    /// (`EFBIG`) without reading past the bound, so a planted or sparse file cannot take memory.
    /// With `followSymlinks: false` a symlink at `path` is refused (`ELOOP`) and so is anything
    /// but a regular file (`EINVAL`), never opened in a way that waits.
    package static func readFile(_ path: String, followSymlinks: Bool = true, maxBytes: Int) throws(SystemError) -> [UInt8] {
        let fd = try Posix.open(path, followSymlinks ? O_RDONLY : O_RDONLY | O_NOFOLLOW | O_NONBLOCK)
        defer { Posix.close(fd) }
        let status = try Posix.fstat(fd, path: path)
        if !followSymlinks, !status.isRegular {
            throw SystemError("cannot read (not a regular file)", path, errno: EINVAL)
        }
        let tooLarge = SystemError("cannot read (larger than \(maxBytes) bytes)", path, errno: EFBIG)
        if status.isRegular, status.size > Int64(maxBytes) { throw tooLarge }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = try Posix.read(fd, &chunk, chunk.count, path: path)
            if count == 0 { return bytes }
            guard bytes.count + count <= maxBytes else { throw tooLarge }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    /// Calls `body` with each newline-terminated or final line of the regular file at `path`
    /// (never through a symlink), read in 64 KiB pieces, until `body` returns `false`. Memory
    /// stays bounded by `maxLineBytes`: a longer line is passed over whole, not held.
    package static func forEachLine(
        _ path: String, maxLineBytes: Int = 1 << 20, _ body: (ArraySlice<UInt8>) throws -> Bool
    ) throws {
        let fd = try Posix.open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK)
        defer { Posix.close(fd) }
        guard try Posix.fstat(fd, path: path).isRegular else {
            throw SystemError("cannot read (not a regular file)", path, errno: EINVAL)
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var line: [UInt8] = []
        var overlong = false
        while true {
            let count = try Posix.read(fd, &chunk, chunk.count, path: path)
            if count == 0 { break }
            var start = 0
            while start < count {
                guard let newline = chunk[start..<count].firstIndex(of: 0x0A) else {
                    if !overlong { line.append(contentsOf: chunk[start..<count]) }
                    break
                }
                if !overlong {
                    if line.isEmpty {
                        if try !body(chunk[start..<newline]) { return }
                    } else {
                        line.append(contentsOf: chunk[start..<newline])
                        if line.count <= maxLineBytes, try !body(line[...]) { return }
                    }
                }
                line.removeAll(keepingCapacity: true)
                overlong = false
                start = newline + 1
            }
            if line.count > maxLineBytes {
                line.removeAll()
                overlong = true
            }
        }
        if !overlong && !line.isEmpty { _ = try body(line[...]) }
    }

    /// Whether anything is at `path` (a symlink is followed).
    package static func exists(_ path: String) -> Bool {
        (try? Posix.stat(path)) != nil
    }

    /// Whether a directory is at `path` (a symlink is followed).
    package static func isDirectory(_ path: String) -> Bool {
        (try? Posix.stat(path))??.isDirectory == true
    }

    /// The names in a directory (without `.` and `..`, unsorted); an empty list when it does not exist.
    package static func listIfPresent(_ directory: String) throws(SystemError) -> [String] {
        guard try Posix.stat(directory) != nil else { return [] }
        return try Posix.listDirectory(directory)
    }

    /// Opens (creating) `path` and takes an exclusive `flock` without waiting. Returns the
    /// descriptor that holds the lock, or `nil` when another process holds it.
    /// A symlink at `path` is never followed (`ELOOP`).
    package static func lockExclusively(_ path: String, mode: UInt32 = 0o644) throws(SystemError) -> Int32? {
        let fd = try Posix.open(path, O_RDWR | O_CREAT | O_NOFOLLOW, mode: mode)
        do throws(SystemError) {
            if try Posix.tryLock(fd, exclusive: true, path: path) { return fd }
            Posix.close(fd)
            return nil
        } catch {
            Posix.close(fd)
            throw error
        }
    }

    /// Writes `bytes` at byte `length` of `path` (created with `mode`, a symlink never followed),
    /// first cutting off whatever follows `length` (what a write that failed halfway left), and with
    /// `sync` fsyncs it. Returns whether the file was created (its directory then needs a fsync).
    @discardableResult
    package static func append(_ bytes: [UInt8], to path: String, at length: Int64, mode: UInt32 = 0o600, sync: Bool) throws(SystemError) -> Bool {
        let existed = try Posix.lstat(path) != nil
        let fd = try Posix.open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW, mode: mode)
        defer { Posix.close(fd) }
        try Posix.ftruncate(fd, length, path: path)
        if !bytes.isEmpty { try Posix.writeAll(fd, bytes, path: path) }
        if sync { try Posix.fsync(fd, path: path) }
        return !existed
    }

    /// `fsync` of a file written through another descriptor (the kernel flushes the file, whoever wrote it).
    package static func syncFile(_ path: String) throws(SystemError) {
        let fd = try Posix.open(path, O_RDONLY)
        defer { Posix.close(fd) }
        try Posix.fsync(fd, path: path)
    }

    /// `fsync` of a directory, so that renames, new entries and unlinks in it are durable.
    package static func syncDirectory(_ path: String) throws(SystemError) {
        let fd = try Posix.openDirectory(path)
        defer { Posix.close(fd) }
        try Posix.fsync(fd, path: path)
    }

    /// The directory part of `path` (`.` for a bare name, `/` for a file at the root).
    package static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The last component of `path`.
    package static func fileName(of path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// `directory/name`, without doubling a trailing slash.
    package static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// Eight random hex digits, for names that must not be guessed or collide.
    package static func randomHex() -> String {
        let value = UInt32.random(in: .min ... .max)
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
