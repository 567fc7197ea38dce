internal import TallyPosix

/// A snapshot directory on disk: the one owner of its layout and of every name in it (and of
/// the names of the dead-letter files its snapshots count). Nothing else parses these names.
///
/// ```swift
/// let directory = SnapshotDirectory("/var/lib/tally/snapshots")
/// try directory.create()                        // 0700, fsynced into its parent
/// SnapshotDirectory.manifestName(generation: 42) // snapshot-000000000042.json
/// directory.keptPositions(upTo: 42)              // what each kept snapshot folded
/// ```
///
/// | name | what |
/// |---|---|
/// | `snapshot-<generation, 12 digits>.json` | a manifest, the commit point of one generation |
/// | `state-<generation, 12 digits>.bin` | the fold's globals of that generation |
/// | `sessions.db` (`-wal`, `-shm`) | the versioned rows of every kept generation |
/// | `writer.lock` | the writer's exclusive `flock` |
/// | `directory.id` | the directory's identity: 16 random hex digits, written once |
/// | `*.damaged` | a damaged manifest or state file moved aside, never read again |
/// | `.NAME.XXXXXXXX.tmp` | a file being written (removed at the next start if its writer died) |
///
/// Directories it creates are 0700 and files 0600 whatever the umask allows more: snapshots hold
/// user ids, IP addresses and error texts.
package struct SnapshotDirectory: Sendable {
    package let path: String

    package init(_ path: String) {
        self.path = path
    }

    /// Permissions of the directories Tally creates for snapshots and dead letters.
    package static let directoryPermissions: UInt32 = 0o700
    /// Permissions of every file in them.
    package static let filePermissions: UInt32 = 0o600

    static let databaseName = "sessions.db"
    static let lockName = "writer.lock"
    static let identityName = "directory.id"
    static let damagedSuffix = ".damaged"

    var databasePath: String { file(Self.databaseName) }
    var lockPath: String { file(Self.lockName) }
    var identityPath: String { file(Self.identityName) }

    func file(_ name: String) -> String { FileOperations.join(path, name) }

    // MARK: - Names

    static func manifestName(generation: Int64) -> String { "snapshot-\(twelveDigits(generation)).json" }
    static func stateName(generation: Int64) -> String { "state-\(twelveDigits(generation)).bin" }

    /// The generation named by a manifest file name, `nil` for any other name.
    static func generation(fromManifestName name: String) -> Int64? {
        generation(in: name, prefix: "snapshot-", suffix: ".json")
    }

    static func generation(fromStateName name: String) -> Int64? {
        generation(in: name, prefix: "state-", suffix: ".bin")
    }

    static func twelveDigits(_ generation: Int64) -> String {
        let digits = String(generation)
        return String(repeating: "0", count: max(0, 12 - digits.count)) + digits
    }

    /// The number between `prefix` and `suffix`: at least 12 ASCII digits.
    static func generation(in name: String, prefix: String, suffix: String) -> Int64? {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix), name.utf8.count >= prefix.utf8.count + suffix.utf8.count + 12
        else { return nil }
        let digits = name.utf8.dropFirst(prefix.utf8.count).dropLast(suffix.utf8.count)
        guard digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int64(String(decoding: digits, as: UTF8.self))
    }

    // MARK: - The directory

    /// Manifests by generation, oldest first.
    func manifests() throws(SnapshotError) -> [(generation: Int64, name: String)] {
        try io { try Posix.listDirectory(path) }
            .compactMap { name in Self.generation(fromManifestName: name).map { ($0, name) } }
            .sorted { $0.generation < $1.generation }
    }

    /// The manifest with the highest generation by name, `nil` when none is listed or the
    /// directory cannot be read (a missing directory lists nothing). A readdir, no stat or read.
    package func newestManifest() -> (generation: Int64, name: String)? {
        var newest: (generation: Int64, name: String)?
        for name in (try? FileOperations.listIfPresent(path)) ?? [] {
            if let generation = Self.generation(fromManifestName: name), generation > newest?.generation ?? -1 {
                newest = (generation, name)
            }
        }
        return newest
    }

    /// A line for the operator when the existing directory `path` (made before Tally ran, say)
    /// lets other users in: Tally creates its directories 0700, but leaves the mode of one it did
    /// not create as it is. `nil` when it is owner-only or missing.
    package static func exposure(of path: String) -> String? {
        guard let status = try? Posix.stat(path), status.isDirectory, status.permissions & 0o077 != 0 else { return nil }
        let mode = String(status.permissions & 0o777, radix: 8)
        return "\(path) is open to other users (mode \(mode)) and holds user ids and raw lines: chmod 700 it"
    }

    /// Creates the directory and its missing parents (0700 each, fsynced into their parents).
    func create() throws(SnapshotError) {
        try io { try FileOperations.createDirectories(path, mode: Self.directoryPermissions, ignoringUmask: true) }
    }

    /// Takes the writer's lock; `.busy` when another writer holds it. Returns the descriptor.
    func lock() throws(SnapshotError) -> Int32 {
        guard let fd = try io({ try FileOperations.lockExclusively(lockPath, mode: Self.filePermissions) }) else {
            throw SnapshotError(code: .busy, message: "snapshot directory \(path) is in use by another writer", path: path)
        }
        return fd
    }

    /// Removes the temporary files a killed writer left (only Tally's own hidden `.…tmp` names,
    /// regular files only; a symlink is never followed).
    func removeTemporaryFiles() throws(SnapshotError) {
        _ = try io { try FileOperations.removeTemporaryFiles(in: path) }
    }

    /// The directory's identity, created once (call with the writer's lock held): names the
    /// dead-letter files of its snapshots, so that consumers sharing a dead-letter directory
    /// never read or delete each other's.
    func identity() throws(SnapshotError) -> String {
        if let existing = try Self.readIdentity(at: identityPath) { return existing }
        let fresh = FileOperations.randomHex() + FileOperations.randomHex()
        _ = try io { try FileOperations.createOnce(Array((fresh + "\n").utf8), at: identityPath, mode: Self.filePermissions) }
        guard let written = try Self.readIdentity(at: identityPath) else {
            throw SnapshotError(code: .io, message: "cannot create \(identityPath)", path: identityPath)
        }
        return written
    }

    /// The identity in a `directory.id` file; `nil` when there is none; `.corrupt` when damaged.
    static func readIdentity(at path: String) throws(SnapshotError) -> String? {
        guard try io({ try Posix.lstat(path) }) != nil else { return nil }
        let bytes = try io { try FileOperations.readFile(path, followSymlinks: false, maxBytes: 64) }
        let text = String(decoding: bytes, as: UTF8.self).trimmingNewline
        guard isIdentity(text) else {
            throw SnapshotError(code: .corrupt, message: "damaged directory identity \(path): expected 16 hex digits", path: path)
        }
        return String(text)
    }

    /// Whether `text` is an identity: 16 lower-case hex digits.
    static func isIdentity<S: StringProtocol>(_ text: S) -> Bool {
        text.utf8.count == 16 && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// Moves a file that cannot be read aside (`NAME.damaged`, never replacing one), so that it
    /// is neither used nor deleted. Returns its new name.
    func moveAside(_ name: String) throws(SnapshotError) -> String {
        var target = name + Self.damagedSuffix
        while try io({ try Posix.lstat(file(target)) }) != nil {
            target = name + Self.damagedSuffix + "-" + FileOperations.randomHex()
        }
        try io { try Posix.rename(file(name), file(target)) }
        return target
    }

    /// The positions of the complete snapshots kept up to `generation`, oldest first (`nil` for a
    /// manifest without positions, or one that cannot be read).
    package func keptPositions(upTo generation: Int64) -> [(generation: Int64, positions: SnapshotPositions?)] {
        ((try? manifests()) ?? []).filter { $0.generation <= generation }.map { entry in
            (entry.generation, SnapshotPositions(manifestAt: file(entry.name)))
        }
    }
}

extension String {
    /// The string less one final `\n`.
    var trimmingNewline: Substring { hasSuffix("\n") ? dropLast() : self[...] }
}
