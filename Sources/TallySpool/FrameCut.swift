internal import Glibc

/// Where a batch of lines is cut into frames: each frame holds whole lines, at most `limit`
/// bytes of them, or one longer line alone; the batch's last frame takes what is left.
enum FrameCut {
    /// The end (exclusive) of the frame that starts at `start` in `batch`.
    static func end(of batch: UnsafeRawBufferPointer, from start: Int, limit: Int) -> Int {
        let base = batch.baseAddress!
        if batch.count - start <= limit { return batch.count }
        if let nl = lastNewline(base + start, limit) { return start + nl + 1 }
        if let nl = firstNewline(base + start + limit, batch.count - start - limit) {
            return start + limit + nl + 1   // one line longer than a frame: a frame of its own
        }
        return batch.count
    }

    /// The index of the last `\n` in `count` bytes at `p`.
    @inline(__always)
    static func lastNewline(_ p: UnsafeRawPointer, _ count: Int) -> Int? {
        let bytes = p.assumingMemoryBound(to: UInt8.self)
        var i = count - 1
        while i >= 0 {
            if bytes[i] == 0x0A { return i }
            i -= 1
        }
        return nil
    }

    /// The number of `\n` in `count` bytes at `p`.
    static func newlineCount(_ p: UnsafeRawPointer, _ count: Int) -> Int {
        var n = 0
        var offset = 0
        while offset < count, let hit = memchr(p + offset, 0x0A, count - offset) {
            n += 1
            offset = UnsafeRawPointer(hit) - p + 1
        }
        return n
    }

    /// The index of the first `\n` in `count` bytes at `p`.
    @inline(__always)
    static func firstNewline(_ p: UnsafeRawPointer, _ count: Int) -> Int? {
        guard count > 0, let hit = memchr(p, 0x0A, count) else { return nil }
        return UnsafeRawPointer(hit) - p
    }
}
