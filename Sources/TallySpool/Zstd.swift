internal import CZstd

/// A growable, manually managed byte buffer reused across frames (no per-frame allocation).
final class ByteBuffer {
    private(set) var base: UnsafeMutableRawPointer
    private(set) var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = .allocate(byteCount: self.capacity, alignment: 16)
    }

    deinit { base.deallocate() }

    /// Grows to at least `needed` bytes, keeping the first `keeping` bytes.
    func reserve(_ needed: Int, keeping: Int = 0) {
        guard needed > capacity else { return }
        var newCapacity = capacity
        while newCapacity < needed { newCapacity = newCapacity > Int.max / 2 ? needed : newCapacity * 2 }
        let fresh = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        if keeping > 0 { fresh.copyMemory(from: base, byteCount: keeping) }
        base.deallocate()
        base = fresh
        capacity = newCapacity
    }
}

enum Zstd {
    /// The zstd frame magic number, 0xFD2FB528, stored little-endian.
    static let frameMagic: UInt32 = 0xFD2F_B528

    static func isError(_ code: Int) -> Bool { ZSTD_isError(code) != 0 }

    static func errorName(_ code: Int) -> String { String(cString: ZSTD_getErrorName(code)) }

    /// Whether `code` says the input ends before the frame does.
    static func isIncomplete(_ code: Int) -> Bool {
        ZSTD_getErrorCode(code) == ZSTD_error_srcSize_wrong
    }

    static func compressBound(_ n: Int) -> Int { ZSTD_compressBound(n) }

    /// Reads a little-endian `UInt32` at `p` (unaligned).
    @inline(__always)
    static func magic(at p: UnsafeRawPointer) -> UInt32 {
        UInt32(littleEndian: p.loadUnaligned(as: UInt32.self))
    }

    /// Whether `m` starts a zstd frame or a skippable frame.
    @inline(__always)
    static func isFrameStart(_ m: UInt32) -> Bool {
        m == frameMagic || (m & 0xFFFF_FFF0) == 0x184D_2A50
    }
}

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
