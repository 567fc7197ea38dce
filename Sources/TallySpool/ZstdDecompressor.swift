internal import CZstd

/// One decompression context and its output buffer, whose size is fixed when it is made:
/// no allocation ever follows a size read from the input (a frame header's content size or
/// window size). A frame whose content fits the buffer is decoded into it whole; a larger one
/// is decoded in pieces by ``SegmentReader`` through ``stream(_:available:into:)``.
///
/// Memory: the output buffer, plus zstd's window for a streamed frame, which is refused
/// (as damage) when the frame asks for more than `2^windowLogMax` bytes.
final class ZstdDecompressor {
    let context: OpaquePointer
    /// Holds the content of a frame decoded whole; its capacity never changes.
    let output: ByteBuffer
    /// The largest window (log2) a streamed frame may ask for.
    let windowLogMax: Int32

    /// `outputBytes`: the largest frame content decoded whole, e.g. max(1 MiB, max_line_bytes).
    init(outputBytes: Int) {
        context = ZSTD_createDCtx()!
        output = ByteBuffer(capacity: outputBytes)
        // 8 MiB covers the window of any frame zstd's levels 1…19 write; more only for a larger output.
        var log: Int32 = 23
        while log < 30 && (1 << Int(log)) < outputBytes { log += 1 }
        windowLogMax = log
        _ = ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, log)
    }

    deinit { ZSTD_freeDCtx(context) }

    enum Outcome {
        /// A whole frame of `size` compressed bytes decompressed to `count` bytes in `output`.
        case frame(size: Int, count: Int)
        /// The available bytes end inside the frame.
        case incomplete
        /// The frame is whole in the input but its content does not fit `output`: stream it.
        case tooLarge
        /// The bytes are not a valid frame.
        case bad(String)
    }

    /// Decodes the frame starting at `p`, with `available` bytes readable there, into `output`.
    func decode(_ p: UnsafeRawPointer, available: Int) -> Outcome {
        if available < 4 { return .incomplete }
        guard Zstd.isFrameStart(Zstd.magic(at: p)) else { return .bad("not a zstd frame (bad magic number)") }
        let size = ZSTD_findFrameCompressedSize(p, available)
        if Zstd.isError(size) {
            return Zstd.isIncomplete(size) ? .incomplete : .bad(Zstd.errorName(size))
        }
        if let fault = ZstdBlocks.fault(inFrameAt: p, size: size) { return .bad(fault) }
        let content = ZSTD_getFrameContentSize(p, size)
        if content == ZSTD_CONTENTSIZE_ERROR { return .bad("bad frame header") }
        if content != ZSTD_CONTENTSIZE_UNKNOWN {
            guard content <= UInt64(output.capacity) else { return .tooLarge }
            let n = ZSTD_decompressDCtx(context, output.base, output.capacity, p, size)
            if Zstd.isError(n) { return .bad(Zstd.errorName(n)) }
            return .frame(size: size, count: n)
        }
        // Unknown content size (frames streamed by other tools): decode until the buffer is full.
        var input = ZSTD_inBuffer(src: p, size: size, pos: 0)
        var out = ZSTD_outBuffer(dst: output.base, size: output.capacity, pos: 0)
        let step = stream(&input, into: &out, restart: true)
        switch step {
        case .error(let reason): return .bad(reason)
        case .done: return .frame(size: size, count: out.pos)
        case .outputFull: return .tooLarge
        case .needsInput: return .bad("frame ends early")
        }
    }

    enum Step {
        case done
        case outputFull
        case needsInput
        case error(String)
    }

    /// Runs zstd's streaming decoder on `input` into `out` until the frame ends, `out` is
    /// full or `input` is used up. `restart`: this is the frame's first piece of input.
    func stream(_ input: inout ZSTD_inBuffer, into out: inout ZSTD_outBuffer, restart: Bool) -> Step {
        if restart { _ = ZSTD_DCtx_reset(context, ZSTD_reset_session_only) }
        while true {
            let r = ZSTD_decompressStream(context, &out, &input)
            if Zstd.isError(r) { return .error(Zstd.errorName(r)) }
            if r == 0 { return .done }
            if out.pos == out.size { return .outputFull }
            if input.pos == input.size { return .needsInput }
        }
    }
}
