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

    /// Expands files and directories (recursively) into the inputs a replay reads: segment
    /// files, `.zst` and `.ndjson` files. Files with other names inside directories are
    /// skipped and returned in `skipped`; a file named on the command line is read whatever
    /// its name (`.zst` suffix: zstd, anything else: plain NDJSON).
    static func expand(_ paths: [String]) throws -> (inputs: [ReplayInput], skipped: [String]) {
        var inputs: [ReplayInput] = []
        var skipped: [String] = []
        func visit(_ path: String, named: Bool) throws {
            guard let entry = try Posix.stat(path) else {
                throw ReplayError.noSuchInput(path)
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
                inputs.append(ReplayInput(path: path, kind: .zstd, size: entry.size, segment: segment))
            } else if named || name.hasSuffix(".ndjson") || name.hasSuffix(".jsonl") {
                inputs.append(ReplayInput(path: path, kind: .plain, size: entry.size, segment: nil))
            } else {
                skipped.append(path)
            }
        }
        for path in paths { try visit(path, named: true) }
        return (inputs, skipped)
    }
}

