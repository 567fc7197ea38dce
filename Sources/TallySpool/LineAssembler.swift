internal import Glibc

/// Cuts bytes that arrive in pieces of any size into lines, in bounded memory: a line cut
/// across pieces (or across frames) is carried, up to `maxLineBytes`; a longer line is
/// streamed (its bytes counted, its first ``keptBytes`` kept for a dead letter), never held whole.
///
/// ```swift
/// let lines = LineAssembler(maxLineBytes: 1 << 20)
/// lines.beginFrame(at: frame.offset)
/// try frame.forEachPiece { piece in
///     lines.feed(piece) { line in
///         if line.isCut { /* too_long: line.bytes is its first 4 KiB, line.length its size */ }
///     }
/// }
/// lines.finish { line in /* a last line without a newline */ }
/// ```
public final class LineAssembler {
    /// How much of a line longer than `maxLineBytes` is kept.
    public static let keptBytes = 4096

    /// One line, without its newline. Valid only inside the callback.
    public struct Line {
        /// The whole line, or for a cut line its first ``LineAssembler/keptBytes``.
        public let bytes: UnsafeRawBufferPointer
        /// The line's length in bytes.
        public let length: Int64
        /// The file offset of the frame the line begins in (0 for plain files).
        public let frameOffset: Int64
        /// Where the line begins in the bytes fed since that frame began (for plain files: in the file).
        public let offset: Int64

        /// Longer than `maxLineBytes` and cut: `bytes` holds only its start (`too_long`).
        public let isCut: Bool

        public init(bytes: UnsafeRawBufferPointer, length: Int64, frameOffset: Int64, offset: Int64, isCut: Bool = false) {
            self.bytes = bytes
            self.length = length
            self.frameOffset = frameOffset
            self.offset = offset
            self.isCut = isCut
        }
    }

    public let maxLineBytes: Int
    private var carry: UnsafeMutableRawPointer
    private var carryCapacity: Int
    private var carried = 0            // bytes of the current line held in `carry`
    private var cutLength: Int64 = 0   // > 0: the current line is cut; its length so far
    private var inLine = false         // a line has begun and not ended
    private var lineFrame: Int64 = 0
    private var lineOffset: Int64 = 0
    private var frameOffset: Int64 = 0
    private var position: Int64 = 0    // bytes fed since the frame began

    public init(maxLineBytes: Int) {
        self.maxLineBytes = max(maxLineBytes, 1)
        carryCapacity = min(self.maxLineBytes, 64 << 10)
        carry = .allocate(byteCount: max(carryCapacity, Self.keptBytes), alignment: 16)
        carryCapacity = max(carryCapacity, Self.keptBytes)
    }

    deinit { carry.deallocate() }

    /// Starts a frame at file offset `offset`: offsets of lines that begin from here on are counted from it.
    public func beginFrame(at offset: Int64) {
        frameOffset = offset
        position = 0
    }

    /// Forgets any line begun and not ended.
    public func reset() {
        carried = 0
        cutLength = 0
        inLine = false
    }

    /// Feeds the next bytes, calling `body` for each line they end.
    public func feed(_ bytes: UnsafeRawBufferPointer, _ body: (Line) throws -> Void) rethrows {
        guard let base = bytes.baseAddress else { return }
        let count = bytes.count
        var i = 0
        while i < count {
            if !inLine {
                inLine = true
                lineFrame = frameOffset
                lineOffset = position + Int64(i)
            }
            let hit = memchr(base + i, 0x0A, count - i)
            let end = hit.map { UnsafeRawPointer($0) - base } ?? count
            if hit != nil && carried == 0 && cutLength == 0 {
                // The whole line is in this piece: no copy.
                let line = UnsafeRawBufferPointer(start: base + i, count: end - i)
                try body(Line(bytes: line, length: Int64(line.count), frameOffset: lineFrame, offset: lineOffset))
            } else {
                append(UnsafeRawBufferPointer(start: base + i, count: end - i))
                if hit != nil { try emit(body) }
            }
            if hit != nil { inLine = false }
            i = end + 1
        }
        position += Int64(count)
    }

    /// Ends the input: a line begun and not ended by a newline is given to `body`.
    public func finish(_ body: (Line) throws -> Void) rethrows {
        if inLine { try emit(body) }
        reset()
    }

    private func emit(_ body: (Line) throws -> Void) rethrows {
        let line = UnsafeRawBufferPointer(start: carry, count: carried)
        let isCut = cutLength > 0
        let length = isCut ? cutLength : Int64(carried)
        carried = 0
        cutLength = 0
        inLine = false
        try body(Line(bytes: line, length: length, frameOffset: lineFrame, offset: lineOffset, isCut: isCut))
    }

    /// Adds a piece of the current line to the carried bytes, cutting the line past `maxLineBytes`.
    private func append(_ piece: UnsafeRawBufferPointer) {
        if cutLength > 0 || carried + piece.count > maxLineBytes {
            // Too long: count it, keep only its first bytes.
            cutLength = (cutLength > 0 ? cutLength : Int64(carried)) + Int64(piece.count)
            let keep = min(piece.count, max(Self.keptBytes - carried, 0))
            if keep > 0 { (carry + carried).copyMemory(from: piece.baseAddress!, byteCount: keep) }
            carried = min(carried + keep, Self.keptBytes)
            return
        }
        if carried + piece.count > carryCapacity {
            let capacity = min(max(carried + piece.count, carryCapacity * 2), maxLineBytes)
            let fresh = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
            fresh.copyMemory(from: carry, byteCount: carried)
            carry.deallocate()
            carry = fresh
            carryCapacity = capacity
        }
        if piece.count > 0 { (carry + carried).copyMemory(from: piece.baseAddress!, byteCount: piece.count) }
        carried += piece.count
    }
}
