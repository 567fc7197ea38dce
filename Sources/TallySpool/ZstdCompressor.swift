internal import CZstd

/// One compression context: frames with the content checksum and content size.
final class ZstdCompressor {
    let context: OpaquePointer

    init(level: Int, path: String) throws(SpoolError) {
        guard let cctx = ZSTD_createCCtx() else {
            throw SpoolError(code: .compression, operation: "cannot compress to", message: "out of memory", path: path)
        }
        context = cctx
        try check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, Int32(level)), path)
        try check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1), path)
        try check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1), path)
    }

    deinit { ZSTD_freeCCtx(context) }

    private func check(_ code: Int, _ path: String) throws(SpoolError) {
        if Zstd.isError(code) {
            throw SpoolError(code: .compression, operation: "cannot compress to", message: Zstd.errorName(code), path: path)
        }
    }

    /// Compresses `source` into one frame in `output`; returns the frame's size.
    func compressFrame(_ source: UnsafeRawBufferPointer, into output: ByteBuffer, path: String) throws(SpoolError) -> Int {
        output.reserve(Zstd.compressBound(source.count))
        let n = ZSTD_compress2(context, output.base, output.capacity, source.baseAddress, source.count)
        try check(n, path)
        return n
    }

    /// Starts a streamed frame whose size is not known in advance.
    func beginStream(path: String) throws(SpoolError) {
        try check(ZSTD_CCtx_reset(context, ZSTD_reset_session_only), path)
    }

    /// Feeds `source` to the streamed frame (`end` closes the frame), handing each
    /// piece of compressed output to `emit`.
    func stream(
        _ source: UnsafeRawBufferPointer, end: Bool, output: ByteBuffer, path: String,
        emit: (UnsafeRawBufferPointer) throws(SpoolError) -> Void
    ) throws(SpoolError) {
        output.reserve(ZSTD_CStreamOutSize())
        var input = ZSTD_inBuffer(src: source.baseAddress, size: source.count, pos: 0)
        while true {
            var out = ZSTD_outBuffer(dst: output.base, size: output.capacity, pos: 0)
            let remaining = ZSTD_compressStream2(context, &out, &input, end ? ZSTD_e_end : ZSTD_e_continue)
            try check(remaining, path)
            if out.pos > 0 { try emit(UnsafeRawBufferPointer(start: output.base, count: out.pos)) }
            if end ? remaining == 0 : input.pos == input.size { return }
        }
    }
}
