internal import CZstd
internal import Glibc
internal import TallyPosix

extension SegmentReader {
    /// How decoding the frame at an offset went.
    enum Decoded {
        /// A whole frame of `size` compressed bytes and `count` decompressed ones; `inMemory`:
        /// its content is in the decompressor's output buffer (otherwise it is streamed again on use).
        case frame(size: Int64, count: Int64, inMemory: Bool)
        /// The file ends inside the frame.
        case incomplete
        /// Not a valid frame, or one that cannot be decoded within the reader's bounds.
        case bad(String)
    }

    /// Decodes (and checks) the frame at `p`: into the output buffer when it fits, otherwise
    /// by streaming it through the fixed buffers, keeping only its sizes.
    func decodeFrame(at p: Int64) throws -> Decoded {
        var available = try fill(at: p, atLeast: 4)
        while true {
            switch decompressor.decode(input.base + Int(p - inputStart), available: available) {
            case .frame(let size, let count):
                return .frame(size: Int64(size), count: Int64(count), inMemory: true)
            case .bad(let reason):
                return .bad(reason)
            case .tooLarge:
                return try streamFrame(at: p, deliver: nil)
            case .incomplete:
                if available >= input.capacity { return try streamFrame(at: p, deliver: nil) }
                let more = try fill(at: p, atLeast: min(available * 2, input.capacity))
                if more <= available { return .incomplete }
                available = more
            }
        }
    }

    /// Decodes the frame at `p` from the file in pieces of at most the output buffer's size,
    /// giving each to `deliver`; with `deliver == nil` the pieces are only checked (and the
    /// content stays in the buffer when it fits).
    func streamFrame(at p: Int64, deliver: ((UnsafeRawBufferPointer) throws -> Void)?) throws -> Decoded {
        var header = HeaderWindow(fd: fd, path: path, size: try fileSize(), capacity: 4096)
        if let fault = try ZstdBlocks.fault({ offset, count throws(SpoolError) in try header.littleEndian(at: p + offset, count: count) }) {
            return .bad(fault)
        }
        let output = decompressor.output
        var consumed: Int64 = 0
        var produced: Int64 = 0
        var overflowed = false
        var first = true
        var out = ZSTD_outBuffer(dst: output.base, size: output.capacity, pos: 0)
        while true {
            let available = try fill(at: p + consumed, atLeast: min(input.capacity, 1 << 17))
            if available == 0 { return .incomplete }
            var source = ZSTD_inBuffer(src: input.base + Int(p + consumed - inputStart), size: available, pos: 0)
            pieces: while true {
                let step = decompressor.stream(&source, into: &out, restart: first)
                first = false
                switch step {
                case .error(let reason):
                    return .bad(reason)
                case .done:
                    consumed += Int64(source.pos)
                    if let deliver, out.pos > 0 { try deliver(UnsafeRawBufferPointer(start: output.base, count: out.pos)) }
                    produced += Int64(out.pos)
                    return .frame(size: consumed, count: produced, inMemory: deliver == nil && !overflowed)
                case .outputFull:
                    if let deliver { try deliver(UnsafeRawBufferPointer(start: output.base, count: out.pos)) }
                    overflowed = true
                    produced += Int64(out.pos)
                    out.pos = 0
                case .needsInput:
                    break pieces
                }
            }
            consumed += Int64(source.pos)
        }
    }

    /// Gives the content of a frame not held in memory to `body`, in pieces, decoding it again.
    func streamContent(of frame: Frame, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let outcome = try withoutActuallyEscaping(body) { body in try streamFrame(at: frame.offset, deliver: body) }
        guard case .frame(let size, let count, _) = outcome, frame.offset + size == frame.endOffset, count == frame.contentBytes else {
            throw SpoolError(code: .compression, operation: "cannot read", message: "frame at byte \(frame.offset) changed while it was read", path: path)
        }
    }

    /// The frame event for a frame decoded at `p`.
    func frame(at p: Int64, size: Int64, count: Int64, inMemory: Bool) -> Frame {
        Frame(
            offset: p, endOffset: p + size,
            bytes: inMemory ? UnsafeRawBufferPointer(start: decompressor.output.base, count: Int(count)) : nil,
            contentBytes: count, reader: self)
    }

    /// Scans forward from `p + 1` for the zstd frame magic, a window at a time, and returns the
    /// first position where a whole frame decodes, with its sizes.
    func nextIntactFrame(after p: Int64) throws -> (Int64, Int64, Int64, Bool)? {
        var q = p + 1
        while true {
            let available = try fill(at: q, atLeast: input.capacity)
            if available < 4 { return nil }
            let base = input.base + Int(q - inputStart)
            var i = 0
            var candidate: Int64?
            while i + 4 <= available {
                guard let hit = memchr(base + i, 0x28, available - i - 3) else { break }
                let j = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
                if Zstd.magic(at: base + j) == Zstd.frameMagic {
                    candidate = q + Int64(j)
                    break
                }
                i = j + 1
            }
            guard let candidate else {
                q += Int64(available - 3)
                continue
            }
            if case .frame(let size, let count, let inMemory) = try decodeFrame(at: candidate) {
                return (candidate, size, count, inMemory)
            }
            q = candidate + 1
        }
    }

    func fileSize() throws(SpoolError) -> Int64 {
        try io { try Posix.fstat(fd, path: path) }.size
    }

    /// Forgets the buffered bytes, so the next ``fill(at:atLeast:)`` reads the file again.
    func dropBuffer() {
        inputCount = 0
    }

    /// Makes the input buffer hold file bytes from `p`, at least `wanted` (at most the buffer's
    /// capacity) of them when the file has them. Returns how many bytes from `p` are buffered.
    func fill(at p: Int64, atLeast wanted: Int) throws(SpoolError) -> Int {
        let wanted = min(wanted, input.capacity)
        let end = inputStart + Int64(inputCount)
        if p < inputStart || p > end {
            inputStart = p
            inputCount = 0
        } else if p > inputStart {
            let keep = Int(end - p)
            if keep >= wanted { return keep }
            if keep > 0 { memmove(input.base, input.base + Int(p - inputStart), keep) }
            inputStart = p
            inputCount = keep
        } else if inputCount >= wanted {
            return inputCount
        }
        while inputCount < wanted {
            let n = try io { try Posix.pread(fd, input.base + inputCount, input.capacity - inputCount, inputStart + Int64(inputCount), path: path) }
            if n == 0 { break }
            inputCount += n
        }
        return inputCount
    }
}
