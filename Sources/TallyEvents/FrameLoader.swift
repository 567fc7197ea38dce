internal import TallyPosix
import TallySnapshot
import TallySpool

/// Reads one frame of the index back: a zstd frame of a segment (or `.zst` input) at its offset, or
/// the line-aligned block of a plain NDJSON file that starts there. Never follows a symlink.
struct FrameLoader {
    /// The lines of a frame, copied out of the reader's buffer.
    struct Loaded {
        var bytes: [UInt8]
        /// The file the frame was read from (a segment's sealed or active name).
        var path: String
        /// The frame's offset; for a plain file the block's, to which line starts are added.
        var offset: Int64
        var isPlain: Bool

        /// Calls `body` with each line's start and length in `bytes` (no empty lines).
        func forEachLine(_ body: (_ start: Int, _ count: Int) throws -> Void) rethrows {
            var start = 0
            let count = bytes.count
            while start < count {
                var end = start
                while end < count && bytes[end] != 0x0A { end += 1 }
                if end > start { try body(start, end - start) }
                start = end + 1
            }
        }

        /// What `offset` is printed for a line starting at `start`.
        func offset(ofLine start: Int) -> Int64 { isPlain ? offset + Int64(start) : offset }
    }

    enum Outcome {
        case loaded(Loaded)
        case missing(String)
        case damaged(String)
    }

    /// Plain files are read in blocks of this size (as replay's `LineFileReader` reads them).
    static let plainBlockBytes = 4 << 20

    static func load(path: String, offset: Int64) -> Outcome {
        guard let found = existing(path) else { return .missing(path) }
        if found.hasSuffix(".ndjson") { return loadPlain(found, offset: offset) }
        do {
            let reader = try SegmentReader(path: found, followSymlinks: false)
            var result: Outcome?
            _ = try reader.read(from: offset, maxFrames: 1) { item in
                switch item {
                case .frame(let frame):
                    if frame.offset == offset {
                        result = try lines(of: frame, path: found)
                    } else if result == nil {
                        result = .damaged("\(found): no frame at byte \(offset)")
                    }
                case .damaged(let damage):
                    if result == nil {
                        result = .damaged("\(found): damaged frame at byte \(damage.offset) (\(damage.length) bytes): \(damage.reason)")
                    }
                }
            }
            return result ?? .damaged("\(found): no frame at byte \(offset) (the file ends before it)")
        } catch {
            return .damaged("\(found): cannot read the frame at byte \(offset): \(error)")
        }
    }

    private static func loadPlain(_ path: String, offset: Int64) -> Outcome {
        struct First: Error {}
        var loaded: Loaded?
        do {
            guard ((try? Posix.lstat(path)) ?? nil)?.isRegular == true else {
                return .damaged("\(path): not a regular file (never followed)")
            }
            let reader = try LineFileReader(path: path, regularOnly: true)
            try reader.read(from: offset, chunkBytes: plainBlockBytes) { piece in
                // A cut line (longer than max_line_bytes) was `too_long` to the fold: no event.
                guard case .lines(let start, let chunk) = piece else { return }
                loaded = Loaded(bytes: Array(chunk), path: path, offset: start, isPlain: true)
                throw First()
            }
        } catch is First {
        } catch {
            return .damaged("\(path): cannot read the block at byte \(offset): \(error)")
        }
        return loaded.map { .loaded($0) } ?? .damaged("\(path): no block at byte \(offset) (the file ends before it)")
    }

    /// A frame too large to be held whole is collected line by line up to this many bytes.
    static let maxFrameBytes = 64 << 20

    /// A frame's lines joined by newlines, without the lines the reader cut for being too long
    /// (the fold dead-lettered those `too_long`); damaged when they come to over ``maxFrameBytes``.
    private static func lines(of frame: SegmentReader.Frame, path: String) throws -> Outcome {
        if let bytes = frame.bytes { return .loaded(Loaded(bytes: Array(bytes), path: path, offset: frame.offset, isPlain: false)) }
        struct TooLarge: Error {}
        var collected: [UInt8] = []
        do {
            try frame.forEachLine { line in
                guard !line.isCut else { return }
                guard collected.count + line.bytes.count < maxFrameBytes else { throw TooLarge() }
                collected.append(contentsOf: line.bytes)
                collected.append(0x0A)
            }
        } catch is TooLarge {
            return .damaged("\(path): the frame at byte \(frame.offset) holds over \(maxFrameBytes >> 20) MiB of lines")
        }
        return .loaded(Loaded(bytes: collected, path: path, offset: frame.offset, isPlain: false))
    }

    /// `path` if it exists, else a segment's other name (sealed ↔ active); `nil` when neither does.
    static func existing(_ path: String) -> String? {
        if exists(path) { return path }
        if let other = SegmentID.sealedPath(ofActive: path) ?? SegmentID.activePath(ofSealed: path), exists(other) {
            return other
        }
        return nil
    }

    private static func exists(_ path: String) -> Bool {
        ((try? Posix.lstat(path)) ?? nil) != nil
    }
}
