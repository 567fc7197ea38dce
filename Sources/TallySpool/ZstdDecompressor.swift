internal import CZstd

/// One decompression context and its reused output buffer.
final class ZstdDecompressor {
    let context: OpaquePointer
    let output = ByteBuffer(capacity: 1 << 20)
    /// Refuses frames that claim or reach more than this many decompressed bytes.
    let maxFrameContent: Int

    init(maxFrameContent: Int = 1 << 32) {
        context = ZSTD_createDCtx()!
        self.maxFrameContent = maxFrameContent
    }

    deinit { ZSTD_freeDCtx(context) }

    enum Outcome {
        /// A whole frame of `size` compressed bytes decompressed to `count` bytes in `output`.
        case frame(size: Int, count: Int)
        /// The available bytes end inside the frame.
        case incomplete
        /// The bytes are not a valid frame.
        case bad(String)
    }

    /// Decodes the frame starting at `p`, with `available` bytes readable there.
    func decode(_ p: UnsafeRawPointer, available: Int) -> Outcome {
        if available < 4 { return .incomplete }
        guard Zstd.isFrameStart(Zstd.magic(at: p)) else { return .bad("not a zstd frame (bad magic number)") }
        let size = ZSTD_findFrameCompressedSize(p, available)
        if Zstd.isError(size) {
            return Zstd.isIncomplete(size) ? .incomplete : .bad(Zstd.errorName(size))
        }
        let content = ZSTD_getFrameContentSize(p, size)
        if content == ZSTD_CONTENTSIZE_ERROR { return .bad("bad frame header") }
        if content != ZSTD_CONTENTSIZE_UNKNOWN {
            guard content <= UInt64(maxFrameContent) else { return .bad("frame content too large (\(content) bytes)") }
            output.reserve(Int(content))
            let n = ZSTD_decompressDCtx(context, output.base, output.capacity, p, size)
            if Zstd.isError(n) { return .bad(Zstd.errorName(n)) }
            return .frame(size: size, count: n)
        }
        // Unknown content size (frames streamed by other tools): decompress in steps.
        _ = ZSTD_DCtx_reset(context, ZSTD_reset_session_only)
        var input = ZSTD_inBuffer(src: p, size: size, pos: 0)
        var produced = 0
        while true {
            if output.capacity - produced < (1 << 16) {
                guard output.capacity < maxFrameContent else { return .bad("frame content too large") }
                output.reserve(output.capacity * 2, keeping: produced)
            }
            var out = ZSTD_outBuffer(dst: output.base, size: output.capacity, pos: produced)
            let r = ZSTD_decompressStream(context, &out, &input)
            produced = out.pos
            if Zstd.isError(r) { return .bad(Zstd.errorName(r)) }
            if r == 0 { return .frame(size: size, count: produced) }
            if input.pos == input.size && out.pos < out.size { return .bad("frame ends early") }
        }
    }
}
