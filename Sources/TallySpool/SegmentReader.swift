/// Reads the frames of one segment file (or any `.zst` file) from a byte offset.
///
/// ```swift
/// let reader = try SegmentReader(path: "spool/api.W.00000001.zst")
/// var position: Int64 = 0                        // from a checkpoint
/// let end = try reader.read(from: position) { event in
///     switch event {
///     case .frame(let frame):
///         frame.forEachLine { line in /* line: UnsafeRawBufferPointer, no newline */ }
///         position = frame.endOffset             // checkpoint here
///     case .damaged(let damage):
///         print("damaged frame at byte \(damage.offset): \(damage.reason)")
///     }
/// }
/// switch end.state {
/// case .beingWritten: break   // call read(from: end.offset) again later
/// case .sealed, .abandoned: break   // done with this segment; end.tornTail says what was skipped
/// }
/// ```
///
/// A reader holds one open file, a read buffer and a decompression buffer, both
/// reused: memory grows to the largest compressed and decompressed frame seen.
/// Not thread-safe; use one reader per thread.
public final class SegmentReader {
    /// The path the file was opened by (it may have been renamed to its sealed name since).
    public let path: String
    let fd: Int32
    private let sealedPath: String?
    private let inode: (UInt64, UInt64)
    private let input = ByteBuffer(capacity: 4 << 20)
    private var inputStart: Int64 = 0   // file offset of input.base
    private var inputCount = 0          // valid bytes in input
    private var reachedEOF = false      // the last read hit the end of the file
    private let decompressor = ZstdDecompressor()

    /// Opens `path` for reading. A name ending in `.zst.open` is treated as an
    /// active segment (its writer may still append); any other name as a finished file.
    ///
    /// Only a regular file is read: anything else (a FIFO, a device, a directory) throws
    /// ``SpoolError/Code/notARegularFile`` at once, without waiting for a FIFO's writer
    /// (the file is opened `O_NONBLOCK`). With `followSymlinks: false` (how a spool's files are
    /// opened) a symlink is not followed but refused the same way (`O_NOFOLLOW`).
    public init(path: String, followSymlinks: Bool = true) throws(SpoolError) {
        self.path = path
        let flags = O_RDONLY | O_NONBLOCK | (followSymlinks ? 0 : O_NOFOLLOW)
        let descriptor: Int32
        do throws(SpoolError) {
            descriptor = try io { try Posix.open(path, flags) }
        } catch where !followSymlinks && error.errno == ELOOP {
            throw SpoolError(
                code: .notARegularFile, operation: "cannot read", message: "a symbolic link, not followed in a spool",
                path: path, errno: ELOOP)
        }
        fd = descriptor
        sealedPath = SegmentID.sealedPath(ofActive: path)
        do throws(SpoolError) {
            let st = try io { try Posix.fstat(descriptor, path: path) }
            guard st.isRegular else {
                throw SpoolError(code: .notARegularFile, operation: "cannot read", message: "a \(st.kind), not a regular file", path: path)
            }
            inode = (st.device, st.inode)
        } catch {
            Posix.close(fd)
            throw error
        }
    }

    deinit { Posix.close(fd) }

    /// What a read yields, in file order.
    public enum Event {
        /// A frame that decoded and passed its checksum.
        case frame(Frame)
        /// Bytes that are not a valid frame; reading went on at the next intact frame.
        case damaged(Damage)
    }

    /// One decoded frame. `bytes` (and the lines) are valid only inside the callback.
    public struct Frame {
        /// Where the frame starts in the file.
        public let offset: Int64
        /// Where the next frame starts: the position to checkpoint after consuming this frame.
        public let endOffset: Int64
        /// The decompressed bytes: whole lines, each ending in `\n`.
        public let bytes: UnsafeRawBufferPointer

        /// Calls `body` with each line, without its newline, as a slice of the frame's
        /// buffer (no copy). Bytes after the last newline, if any, are the last line.
        public func forEachLine(_ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
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
                try body(UnsafeRawBufferPointer(start: base + start, count: end - start))
                start = end + 1
            }
        }

        /// The number of lines in the frame.
        public var lineCount: Int {
            var n = 0
            forEachLine { _ in n += 1 }
            return n
        }
    }

    /// A damaged region: a frame that failed its checksum or did not decode.
    public struct Damage: Sendable, Hashable {
        /// Where the damaged frame starts.
        public let offset: Int64
        /// Bytes skipped, up to the next intact frame.
        public let length: Int64
        /// zstd's error name or a short reason.
        public let reason: String
    }

    /// An incomplete last frame that nobody will finish: skipped and reported.
    public struct TornTail: Sendable, Hashable {
        public let offset: Int64
        public let length: Int64
    }

    /// How a read ended.
    public struct End: Sendable, Hashable {
        public enum State: Sendable, Hashable {
            /// Sealed (or a file not in spool naming): everything there is has been read.
            case sealed
            /// The writer holds the segment's lock: more frames may come after `offset`
            /// (an incomplete frame there is not damage; read again later).
            case beingWritten
            /// An active segment whose writer is gone: nothing more will come.
            case abandoned
        }
        public let state: State
        /// Where to resume: for `.beingWritten` the first byte not yet read as a frame;
        /// otherwise the end of the file (past any torn tail).
        public let offset: Int64
        /// The skipped incomplete last frame, for `.sealed` (damage) and `.abandoned`.
        public let tornTail: TornTail?
    }

    /// Reads frames from `offset` (a frame boundary, e.g. a checkpoint) to the end of
    /// what the file holds now, calling `body` for each frame and each damaged region.
    ///
    /// Stops early, returning `.beingWritten`-like resume information, after `maxFrames` frames
    /// (the returned `offset` is then the next frame's start and `state` the segment's state).
    public func read(
        from offset: Int64 = 0, maxFrames: Int = .max, _ body: (Event) throws -> Void
    ) throws -> End {
        var p = offset
        var frames = 0
        var settled: End.State? = nil   // the state probed once the end was reached
        while true {
            if frames >= maxFrames {
                return End(state: try probe(), offset: p, tornTail: nil)
            }
            var available = try fill(at: p, atLeast: 4)
            if available == 0 {
                if let state = settled { return End(state: state, offset: p, tornTail: nil) }
                settled = try probe()
                if settled == .beingWritten { return End(state: .beingWritten, offset: p, tornTail: nil) }
                continue   // data may have been added just before the writer let go: look again
            }
            var outcome = decompressor.decode(input.base + Int(p - inputStart), available: available)
            while case .incomplete = outcome, !reachedEOF {
                available = try fill(at: p, atLeast: available * 2)
                outcome = decompressor.decode(input.base + Int(p - inputStart), available: available)
            }
            switch outcome {
            case .frame(let size, let count):
                try body(.frame(Frame(offset: p, endOffset: p + Int64(size), bytes: UnsafeRawBufferPointer(start: decompressor.output.base, count: count))))
                p += Int64(size)
                frames += 1
            case .incomplete, .bad:
                let reason: String
                if case .bad(let r) = outcome { reason = r } else { reason = "frame ends early" }
                // Read all of the rest of the file. A frame cut short may have been completed by its
                // writer meanwhile: decode it again where it starts before looking any further.
                available = try fill(at: p, atLeast: .max)
                if case .incomplete = outcome,
                    case .frame(let size, let count) = decompressor.decode(input.base + Int(p - inputStart), available: available)
                {
                    try body(.frame(Frame(offset: p, endOffset: p + Int64(size), bytes: UnsafeRawBufferPointer(start: decompressor.output.base, count: count))))
                    p += Int64(size)
                    frames += 1
                    continue
                }
                // Look for the next intact frame after p.
                if let (q, size, count) = nextIntactFrame(after: p, available: available) {
                    try body(.damaged(Damage(offset: p, length: q - p, reason: reason)))
                    try body(.frame(Frame(offset: q, endOffset: q + Int64(size), bytes: UnsafeRawBufferPointer(start: decompressor.output.base, count: count))))
                    p = q + Int64(size)
                    frames += 1
                    continue
                }
                // No intact frame follows: this is the tail.
                if settled == nil {
                    settled = try probe()
                    if settled == .beingWritten { return End(state: .beingWritten, offset: p, tornTail: nil) }
                    // Re-read once from the file, not the buffer: the writer may have finished the
                    // frame (and sealed the segment) after the bytes above were read.
                    dropBuffer()
                    continue
                }
                return End(state: settled!, offset: p + Int64(available), tornTail: TornTail(offset: p, length: Int64(available)))
            }
        }
    }

    /// Whether the writer still holds the segment: `.beingWritten`, or it was sealed
    /// (`.sealed`), or it is gone without sealing (`.abandoned`).
    ///
    /// The sealed name is looked at first: a writer renames its segment only after its last
    /// write, so a file under its sealed name is complete even while the lock still shows as
    /// held (a process forked elsewhere holds a copy of the writer's descriptor until it execs).
    public func probe() throws(SpoolError) -> End.State {
        guard let sealedPath else { return .sealed }
        func isSealed() throws(SpoolError) -> Bool {
            guard let st = try io({ try Posix.lstat(sealedPath) }) else { return false }
            return st.device == inode.0 && st.inode == inode.1
        }
        if try isSealed() { return .sealed }
        if try !io({ try Posix.tryLock(fd, exclusive: false, path: path) }) { return .beingWritten }
        Posix.unlock(fd)
        // Sealed since the first look, or abandoned.
        return try isSealed() ? .sealed : .abandoned
    }

    /// Scans forward from `p + 1` for the zstd frame magic and returns the first
    /// position where a whole frame decodes, with its size and content size.
    private func nextIntactFrame(after p: Int64, available: Int) -> (Int64, Int, Int)? {
        let base = input.base + Int(p - inputStart)
        var i = 1
        while i + 4 <= available {
            guard let hit = memchr(base + i, 0x28, available - i - 3) else { return nil }
            let j = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
            if Zstd.magic(at: base + j) == Zstd.frameMagic,
                case .frame(let size, let count) = decompressor.decode(base + j, available: available - j)
            {
                return (p + Int64(j), size, count)
            }
            i = j + 1
        }
        return nil
    }

    /// Forgets the buffered bytes, so the next ``fill(at:atLeast:)`` reads the file again.
    private func dropBuffer() {
        inputCount = 0
        reachedEOF = false
    }

    /// Makes the input buffer hold file bytes from `p`, at least `atLeast` of them when the
    /// file has them (`.max`: all of the rest). Returns how many bytes from `p` are buffered.
    private func fill(at p: Int64, atLeast wanted: Int) throws(SpoolError) -> Int {
        let end = inputStart + Int64(inputCount)
        if p < inputStart || p > end {
            inputStart = p
            inputCount = 0
        } else if p > inputStart {
            let keep = Int(end - p)
            if keep > 0 && keep >= wanted { return keep }
            if keep > 0 { input.base.copyMemory(from: input.base + Int(p - inputStart), byteCount: keep) }
            inputStart = p
            inputCount = keep
        } else if inputCount >= wanted {
            return inputCount
        }
        reachedEOF = false
        if wanted == .max {
            let size = try io { try Posix.fstat(fd, path: path) }.size
            input.reserve(max(Int(size - inputStart), inputCount) + 1, keeping: inputCount)
        } else if wanted > input.capacity {
            input.reserve(wanted, keeping: inputCount)
        }
        while inputCount < input.capacity {
            let n = try io { try Posix.pread(fd, input.base + inputCount, input.capacity - inputCount, inputStart + Int64(inputCount), path: path) }
            if n == 0 {
                reachedEOF = true
                break
            }
            inputCount += n
            if inputCount >= wanted && wanted != .max { break }
        }
        if wanted == .max && !reachedEOF {
            // The file grew while reading: take the rest too.
            return try fill(at: p, atLeast: .max)
        }
        return inputCount
    }
}

internal import Glibc
internal import TallyPosix
