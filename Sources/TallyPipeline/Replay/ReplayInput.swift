internal import Glibc
internal import TallyPosix
import TallySpool

/// One file a replay reads, and how.
struct ReplayInput: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        /// A spool segment (`.zst` or `.zst.open` in spool naming) or any other zstd file.
        case zstd
        /// Uncompressed NDJSON.
        case plain
    }

    var path: String
    var kind: Kind
    var size: Int64
    /// The segment identity when the file is named like a spool segment.
    var segment: SegmentID?
    /// Named on the command line: may be a pipe (`tally replay <(zstdcat x.zst)`), read as a stream.
    /// A file found in a directory is opened only if it is a regular file, never through a symlink.
    var named = false

    /// Expands files and directories (recursively) into the inputs a replay reads: segment
    /// files, `.zst` and `.ndjson` files. Files with other names inside directories are
    /// skipped and returned in `skipped`; a file named on the command line is read whatever
    /// its name (`.zst` suffix or zstd's magic number in its first bytes: zstd, anything else:
    /// plain NDJSON). Inside directories, anything
    /// but a regular file or a directory (a FIFO, a device, a symlink: not followed) is skipped
    /// and returned in `notRegular` with what it is.
    static func expand(_ paths: [String]) throws -> (inputs: [ReplayInput], skipped: [String], notRegular: [String]) {
        var inputs: [ReplayInput] = []
        var skipped: [String] = []
        var notRegular: [String] = []
        func visit(_ path: String, named: Bool) throws {
            guard let entry = try named ? Posix.stat(path) : Posix.lstat(path) else {
                if !named { return }   // gone since the directory was listed
                throw ReplayError.noSuchInput(path)
            }
            if !named && !entry.isDirectory && !entry.isRegular {
                notRegular.append("\(path): a \(entry.kind), not a regular file")
                return
            }
            if entry.isDirectory {
                for name in try FileOperations.listIfPresent(path).sorted() where !name.hasPrefix(".") {
                    try visit(path == "/" ? "/" + name : path + "/" + name, named: false)
                }
                return
            }
            let name = path.split(separator: "/").last.map(String.init) ?? path
            let segment = SegmentID(fileName: name)
            if segment != nil || name.hasSuffix(".zst") {
                inputs.append(ReplayInput(path: path, kind: .zstd, size: entry.size, segment: segment, named: named))
            } else if named, entry.isRegular, try Self.startsWithZstdMagic(path) {
                // Named on the command line whatever its name (`events.log`): its bytes say zstd.
                inputs.append(ReplayInput(path: path, kind: .zstd, size: entry.size, segment: nil, named: named))
            } else if named || name.hasSuffix(".ndjson") || name.hasSuffix(".jsonl") {
                inputs.append(ReplayInput(path: path, kind: .plain, size: entry.size, segment: nil, named: named))
            } else {
                skipped.append(path)
            }
        }
        for path in paths { try visit(path, named: true) }
        return (inputs, skipped, notRegular)
    }

    /// Whether the regular file at `path` begins with a zstd frame's magic number.
    static func startsWithZstdMagic(_ path: String) throws -> Bool {
        let fd = try Posix.open(path, O_RDONLY | O_NONBLOCK)
        defer { Posix.close(fd) }
        var head: [UInt8] = [0, 0, 0, 0]
        let count = try head.withUnsafeMutableBytes { try Posix.pread(fd, $0.baseAddress!, 4, 0, path: path) }
        return count == 4 && Zstd.startsWithFrameMagic(head)
    }
}

