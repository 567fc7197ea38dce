internal import Glibc
internal import TallyPosix

/// Reads a plain (uncompressed) NDJSON file, or a pipe, in chunks that hold whole lines, so a
/// batch reprocessing job treats `.ndjson` files the way it treats segment frames.
///
/// ```swift
/// let reader = try LineFileReader(path: "events.ndjson", maxLineBytes: 1 << 20)
/// try reader.read { piece in
///     switch piece {
///     case .lines(let offset, let chunk): break   // whole lines, the first at file offset `offset`
///     case .cutLine(let line): break              // longer than maxLineBytes: its first 4 KiB and length
///     }
/// }
/// ```
///
/// Memory: one buffer of max(`chunkBytes`, `maxLineBytes` + 1) bytes. A line that does not fit
/// it is streamed: counted, its first ``LineAssembler/keptBytes`` kept, never held whole.
public final class LineFileReader {
    public let path: String
    public let maxLineBytes: Int
    private let fd: Int32

    /// What ``read(chunkBytes:_:)`` gives, in file order.
    public enum Piece {
        /// Whole lines (the last one of the file perhaps without its newline), the first at `offset`.
        case lines(offset: Int64, UnsafeRawBufferPointer)
        /// One line longer than `maxLineBytes`, cut (`line.offset` is its file offset).
        case cutLine(LineAssembler.Line)
    }

    /// `regularOnly`: open only a regular file, not through a symlink, and without waiting for a
    /// FIFO's writer (``SpoolError/Code/notARegularFile`` otherwise); how files found in a directory
    /// are opened. Without it a pipe is read as a stream.
    public init(path: String, maxLineBytes: Int = 1 << 20, regularOnly: Bool = false) throws(SpoolError) {
        self.path = path
        self.maxLineBytes = max(maxLineBytes, 1)
        let descriptor = try io { try Posix.open(path, regularOnly ? O_RDONLY | O_NONBLOCK | O_NOFOLLOW : O_RDONLY) }
        if regularOnly {
            do throws(SpoolError) {
                let st = try io { try Posix.fstat(descriptor, path: path) }
                guard st.isRegular else {
                    throw SpoolError(code: .notARegularFile, operation: "cannot read", message: "a \(st.kind), not a regular file", path: path)
                }
            } catch {
                Posix.close(descriptor)
                throw error
            }
        }
        fd = descriptor
    }

    deinit { Posix.close(fd) }

    /// Calls `body` with consecutive pieces of the file, in order, from byte `origin` (a piece's
    /// offset, to read that piece again; a pipe is read from its beginning only).
    public func read(from origin: Int64 = 0, chunkBytes: Int = 4 << 20, _ body: (Piece) throws -> Void) throws {
        let capacity = max(chunkBytes, maxLineBytes + 1, LineAssembler.keptBytes)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        var filled = 0              // bytes in buffer
        var fileOffset = origin     // file offset of the first byte not yet given (while cutting: of buffer[kept])
        var cutLength: Int64 = 0    // > 0: a line too long is being skipped; its bytes so far (its start kept in buffer)
        var cutStart: Int64 = 0
        var kept = 0                // its first bytes, at the start of buffer
        var readOffset = origin     // where the next pread starts (origin > 0 only)
        func emitCut() throws {
            try body(.cutLine(LineAssembler.Line(
                bytes: UnsafeRawBufferPointer(start: buffer, count: kept), length: cutLength, frameOffset: 0, offset: cutStart, isCut: true)))
            cutLength = 0
        }
        while true {
            let n = try io {
                origin > 0
                    ? try Posix.pread(fd, buffer + filled, capacity - filled, readOffset, path: path)
                    : try Posix.read(fd, buffer + filled, capacity - filled, path: path)
            }
            readOffset += Int64(n)
            if n == 0 {
                if cutLength > 0 {
                    cutLength += Int64(filled - kept)
                    try emitCut()
                } else if filled > 0 {
                    try body(.lines(offset: fileOffset, UnsafeRawBufferPointer(start: buffer, count: filled)))
                }
                return
            }
            let fresh = filled
            filled += n
            var start = 0   // where the bytes not yet given start
            if cutLength > 0 {
                guard let hit = memchr(buffer + fresh, 0x0A, filled - fresh) else {
                    cutLength += Int64(filled - kept)
                    fileOffset += Int64(filled - kept)
                    filled = kept   // keep only the line's start
                    continue
                }
                let newline = UnsafeRawPointer(hit) - UnsafeRawPointer(buffer)
                cutLength += Int64(newline - kept)
                try emitCut()
                start = newline + 1
                fileOffset += Int64(start - kept)
            }
            // Hand over everything up to the last newline.
            if let last = FrameCut.lastNewline(buffer + start, filled - start) {
                try body(.lines(offset: fileOffset, UnsafeRawBufferPointer(start: buffer + start, count: last + 1)))
                start += last + 1
                fileOffset += Int64(last + 1)
            }
            let rest = filled - start
            if rest > 0 && start > 0 { memmove(buffer, buffer + start, rest) }
            filled = rest
            if filled == capacity {
                // One line fills the buffer: longer than maxLineBytes. Keep its start, skip the rest.
                cutStart = fileOffset
                kept = LineAssembler.keptBytes
                cutLength = Int64(capacity)
                fileOffset += Int64(capacity)
                filled = kept
            }
        }
    }
}
