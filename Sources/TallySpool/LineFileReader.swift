internal import Glibc
internal import TallyPosix

/// Reads a plain (uncompressed) NDJSON file in chunks that hold whole lines, so a
/// batch reprocessing job treats `.ndjson` files the way it treats segment frames.
///
/// ```swift
/// let reader = try LineFileReader(path: "events.ndjson")
/// try reader.read { offset, chunk in
///     // chunk: whole lines, the first one starting at byte `offset` of the file
/// }
/// ```
///
/// Memory: one buffer of `chunkBytes`, grown only to hold a single longer line.
public final class LineFileReader {
    public let path: String
    private let fd: Int32

    public init(path: String) throws(SpoolError) {
        self.path = path
        fd = try io { try Posix.open(path, O_RDONLY) }
    }

    deinit { Posix.close(fd) }

    /// Calls `body` with consecutive chunks of whole lines and the file offset of each
    /// chunk's first byte, from byte `start` (a chunk's offset reads that chunk again). A last line
    /// without a final newline is given as it is.
    public func read(
        from start: Int64 = 0, chunkBytes: Int = 4 << 20,
        _ body: (_ offset: Int64, _ chunk: UnsafeRawBufferPointer) throws -> Void
    ) throws {
        var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(chunkBytes, 1), alignment: 16)
        defer { buffer.deallocate() }
        var filled = 0          // bytes in buffer
        var fileOffset = start   // file offset of buffer[0]
        var readOffset = start   // where the next read starts
        var atEnd = false
        while true {
            if !atEnd {
                if filled == buffer.count {
                    // A single line longer than the buffer: grow to hold it.
                    let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 16)
                    bigger.copyMemory(from: UnsafeRawBufferPointer(buffer))
                    buffer.deallocate()
                    buffer = bigger
                }
                let n = try io { try Posix.pread(fd, buffer.baseAddress! + filled, buffer.count - filled, readOffset, path: path) }
                if n == 0 { atEnd = true } else { filled += n }
                readOffset += Int64(n)
            }
            if filled == 0 && atEnd { return }
            // Hand over everything up to the last newline (or all of it at the end of the file).
            var cut = filled
            if !atEnd {
                guard let last = lastNewline(in: UnsafeRawBufferPointer(rebasing: buffer[0..<filled])) else { continue }
                cut = last + 1
            }
            try body(fileOffset, UnsafeRawBufferPointer(rebasing: buffer[0..<cut]))
            let rest = filled - cut
            if rest > 0 { memmove(buffer.baseAddress!, buffer.baseAddress! + cut, rest) }
            filled = rest
            fileOffset += Int64(cut)
            if atEnd && filled == 0 { return }
        }
    }

    private func lastNewline(in bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.count > 0 else { return nil }
        var index = bytes.count - 1
        while index >= 0 {
            if bytes[index] == 0x0A { return index }
            index -= 1
        }
        return nil
    }
}
