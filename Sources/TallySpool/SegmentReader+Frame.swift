internal import Glibc

extension SegmentReader {
    /// One decoded frame, valid only inside the read's callback.
    ///
    /// A frame whose content fits the reader's frame buffer is held whole (`bytes`); a larger
    /// one is decoded again, in pieces, by ``forEachPiece(_:)`` and ``forEachLine(_:)``.
    public struct Frame {
        /// Where the frame starts in the file: with ``SegmentReader/read(from:maxFrames:_:)``
        /// from this offset, the same frame is read again.
        public let offset: Int64
        /// Where the next frame starts: the position to checkpoint after consuming this frame.
        public let endOffset: Int64
        /// The decompressed bytes when the frame is held whole; `nil` for a frame too large to be.
        public let bytes: UnsafeRawBufferPointer?
        /// The number of decompressed bytes.
        public let contentBytes: Int64
        let reader: SegmentReader

        /// Calls `body` with the frame's content in order, in one or more pieces cut anywhere.
        public func forEachPiece(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
            if let bytes { return try body(bytes) }
            try reader.streamContent(of: self, body)
        }

        /// Calls `body` with each line, without its newline. Bytes after the last newline, if
        /// any, are the last line. A line of a frame held whole is a slice of its buffer (no copy);
        /// in a larger frame a line longer than the reader's `maxLineBytes` is cut
        /// (``LineAssembler/Line/isCut``).
        public func forEachLine(_ body: (LineAssembler.Line) throws -> Void) throws {
            guard let bytes else {
                let lines = reader.lines
                lines.reset()
                lines.beginFrame(at: offset)
                try forEachPiece { piece in try lines.feed(piece, body) }
                try lines.finish(body)
                return
            }
            guard let base = bytes.baseAddress else { return }
            var start = 0
            let count = bytes.count
            while start < count {
                let end: Int
                if let hit = memchr(base + start, 0x0A, count - start) {
                    end = UnsafeRawPointer(hit) - base
                } else {
                    end = count
                }
                try body(LineAssembler.Line(
                    bytes: UnsafeRawBufferPointer(start: base + start, count: end - start), length: Int64(end - start),
                    frameOffset: offset, offset: Int64(start)))
                start = end + 1
            }
        }

        /// The number of lines in the frame.
        public func lineCount() throws -> Int {
            var n = 0
            try forEachLine { _ in n += 1 }
            return n
        }
    }
}
