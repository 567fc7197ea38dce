/// Checks a zstd frame's block headers against the format's limits (RFC 8878 3.1.1.2):
/// no block may hold more than 128 KiB, which libzstd 1.5.4 does not check for raw blocks.
enum ZstdBlocks {
    static let blockSizeMax = 128 << 10

    /// The first fault of the frame at `p` (`size` bytes, as zstd measured it), or `nil`.
    static func fault(inFrameAt p: UnsafeRawPointer, size: Int) -> String? {
        fault { offset, count in
            guard offset + Int64(count) <= Int64(size) else { return nil }
            var value: UInt64 = 0
            for i in 0..<count { value |= UInt64(p.load(fromByteOffset: Int(offset) + i, as: UInt8.self)) << (8 * UInt64(i)) }
            return value
        }
    }

    /// Walks a frame's header and block headers through `read(offset, count)` (a little-endian
    /// value of `count` ≤ 8 bytes at `offset` from the frame's start, `nil` past its end).
    /// Skippable frames and headers cut short have no fault here: zstd reports those.
    static func fault(_ read: (Int64, Int) throws -> UInt64?) rethrows -> String? {
        guard let magic = try read(0, 4), UInt32(magic) == Zstd.frameMagic, let descriptor = try read(4, 1) else { return nil }
        let singleSegment = descriptor >> 5 & 1 == 1
        let dictionaryBytes = [0, 1, 2, 4][Int(descriptor & 3)]
        let contentSizeBytes = [singleSegment ? 1 : 0, 2, 4, 8][Int(descriptor >> 6)]
        var q = 5 + (singleSegment ? 0 : 1) + Int64(dictionaryBytes + contentSizeBytes)
        while let header = try read(q, 3) {
            let type = header >> 1 & 3
            let blockSize = Int(header >> 3)
            // A raw or RLE block's size is its content; a compressed block's, its compressed bytes.
            if type != 3 && blockSize > blockSizeMax {
                return "block of \(blockSize) bytes at byte \(q) of the frame exceeds the 128 KiB maximum"
            }
            if header & 1 == 1 || type == 3 { return nil }
            q += 3 + (type == 1 ? 1 : Int64(blockSize))
        }
        return nil
    }
}
