internal import Glibc
internal import TallyPosix

extension SegmentReader {
    /// Counts the whole frames from `offset` (a frame boundary) to the end of what the file
    /// holds now, by walking zstd frame and block headers without decompressing: what a
    /// consumer has not read yet, measured cheaply. Stops at an incomplete last frame (not
    /// counted) or at bytes that are not a frame. Returns the frames and the bytes they span.
    ///
    /// ```swift
    /// let (frames, bytes) = try SegmentReader(path: segment.path).countFrames(from: position.offset)
    /// ```
    public func countFrames(from offset: Int64) throws(SpoolError) -> (frames: Int, bytes: Int64) {
        var frames = 0
        let end = try walkFrames(from: offset, windowBytes: 64 << 10) { _ in frames += 1 }
        return (frames, end - offset)
    }

    /// The start offset of every whole frame from `offset` (a frame boundary) to the end of what
    /// the file holds now, and where the walk stopped, found like ``countFrames(from:)`` by walking
    /// frame and block headers without decompressing (one small read per block). The walk stops
    /// at an incomplete last frame or at bytes that are not a frame: `end` is then where they start.
    /// A frame whose headers are intact but whose content is damaged is listed; ``read(from:maxFrames:_:)``
    /// reports it.
    ///
    /// ```swift
    /// let (starts, end) = try SegmentReader(path: path).frameStarts(from: 0)
    /// // frames starts[i]..<starts[i + 1] (the last one ..<end) can be read by separate readers
    /// ```
    public func frameStarts(from offset: Int64) throws(SpoolError) -> (starts: [Int64], end: Int64) {
        var starts: [Int64] = []
        let end = try walkFrames(from: offset, windowBytes: 512) { starts.append($0) }
        return (starts, end)
    }

    /// Walks whole frames from `offset`, calling `visit` with each frame's start; returns where it stopped.
    private func walkFrames(
        from offset: Int64, windowBytes: Int, _ visit: (Int64) -> Void
    ) throws(SpoolError) -> Int64 {
        let size = try io { try Posix.fstat(fd, path: path) }.size
        var window = HeaderWindow(fd: fd, path: path, size: size, capacity: windowBytes)
        var p = offset
        frameLoop: while p < size {
            guard let magic = try window.littleEndian(at: p, count: 4), UInt32(magic) == Zstd.frameMagic,
                let descriptor = try window.littleEndian(at: p + 4, count: 1)
            else { break }
            // Frame header: descriptor, window descriptor, dictionary id, content size (RFC 8878 3.1.1.1).
            let contentSizeFlag = Int(descriptor >> 6)
            let singleSegment = descriptor >> 5 & 1 == 1
            let hasChecksum = descriptor >> 2 & 1 == 1
            guard descriptor >> 3 & 1 == 0 else { break }   // reserved bit
            let dictionaryBytes = [0, 1, 2, 4][Int(descriptor & 3)]
            let contentSizeBytes = [singleSegment ? 1 : 0, 2, 4, 8][contentSizeFlag]
            var q = p + 5 + (singleSegment ? 0 : 1) + Int64(dictionaryBytes + contentSizeBytes)
            // Blocks: a 3-byte header each (last flag, type, size), then the block's bytes.
            while true {
                guard let header = try window.littleEndian(at: q, count: 3) else { break frameLoop }
                let type = header >> 1 & 3
                guard type != 3 else { break frameLoop }
                q += 3 + (type == 1 ? 1 : Int64(header >> 3))
                if header & 1 == 1 { break }
            }
            if hasChecksum { q += 4 }
            guard q <= size else { break }
            visit(p)
            p = q
        }
        return p
    }
}

/// Reads small header fields of a file through a window, for ``SegmentReader/countFrames(from:)`` and ``SegmentReader/frameStarts(from:)``.
struct HeaderWindow {
    let fd: Int32
    let path: String
    let size: Int64
    var bytes: [UInt8]
    var start: Int64 = 0
    var count = 0

    /// `capacity`: bytes read at a time; small when blocks are far apart (each block's header is one read).
    init(fd: Int32, path: String, size: Int64, capacity: Int) {
        self.fd = fd
        self.path = path
        self.size = size
        bytes = [UInt8](repeating: 0, count: max(capacity, 8))
    }

    /// The `count` (≤ 8) bytes at `offset` as a little-endian integer; `nil` past the end of the file.
    mutating func littleEndian(at offset: Int64, count n: Int) throws(SpoolError) -> UInt64? {
        guard offset + Int64(n) <= size else { return nil }
        if offset < start || offset + Int64(n) > start + Int64(count) {
            let wanted = Int(min(Int64(bytes.count), size - offset))
            var got = 0
            var failure: SpoolError?
            let (fd, path) = (self.fd, self.path)
            bytes.withUnsafeMutableBytes { buffer in
                while got < wanted {
                    do throws(SpoolError) {
                        let read = try io { try Posix.pread(fd, buffer.baseAddress! + got, wanted - got, offset + Int64(got), path: path) }
                        if read == 0 { break }
                        got += read
                    } catch {
                        failure = error
                        break
                    }
                }
            }
            if let failure { throw failure }
            start = offset
            count = got
            guard count >= n else { return nil }
        }
        var value: UInt64 = 0
        let base = Int(offset - start)
        for i in 0..<n { value |= UInt64(bytes[base + i]) << (8 * UInt64(i)) }
        return value
    }
}
