internal import Glibc
internal import TallyPosix

/// Reads the frames of one segment file (or any `.zst` file) from a byte offset.
///
/// ```swift
/// let reader = try SegmentReader(path: "spool/api.W.00000001.zst")
/// var position: Int64 = 0                        // from a checkpoint
/// let end = try reader.read(from: position) { event in
///     switch event {
///     case .frame(let frame):
///         try frame.forEachLine { line in /* line.bytes: no newline */ }
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
/// A reader holds one open file, a read buffer and a decompression buffer, both of a
/// fixed size: no frame, however large it is or claims to be, makes them grow.
/// Not thread-safe; use one reader per thread.
public final class SegmentReader {
    /// The path the file was opened by (it may have been renamed to its sealed name since).
    public let path: String
    let fd: Int32
    private let sealedPath: String?
    private let inode: (UInt64, UInt64)
    /// Compressed bytes read ahead; its size is fixed (a larger frame is streamed through it).
    let input = ByteBuffer(capacity: 4 << 20)
    var inputStart: Int64 = 0   // file offset of input.base
    var inputCount = 0          // valid bytes in input
    let decompressor: ZstdDecompressor
    /// Cuts the lines of frames too large to be held whole.
    let lines: LineAssembler

    /// Opens `path` for reading. A name ending in `.zst.open` is treated as an
    /// active segment (its writer may still append); any other name as a finished file.
    ///
    /// Only a regular file is read: anything else (a FIFO, a device, a directory) throws
    /// ``SpoolError/Code/notARegularFile`` at once, without waiting for a FIFO's writer
    /// (the file is opened `O_NONBLOCK`). With `followSymlinks: false` (how a spool's files are
    /// opened) a symlink is not followed but refused the same way (`O_NOFOLLOW`).
    ///
    /// Memory is bounded whatever the file holds: a read buffer of 4 MiB and a frame buffer of
    /// max(1 MiB, `maxLineBytes`); a frame whose content is larger is decoded in pieces
    /// (``Frame/forEachPiece(_:)``) and a line longer than `maxLineBytes` is cut
    /// (``LineAssembler``). zstd's window for such a frame is at most 8 MiB (or the frame buffer's
    /// size, when larger); a frame that asks for more is damage.
    public init(path: String, followSymlinks: Bool = true, maxLineBytes: Int = 1 << 20) throws(SpoolError) {
        self.path = path
        decompressor = ZstdDecompressor(outputBytes: max(1 << 20, maxLineBytes))
        lines = LineAssembler(maxLineBytes: maxLineBytes)
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
    ///
    /// An incomplete last frame of a finished file is its torn tail; a last frame that is whole
    /// but does not decode (a wrong checksum, a missing dictionary, bytes that are no frame at
    /// all) is damage with zstd's reason, like a damaged frame anywhere else.
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
            let available = try fill(at: p, atLeast: 4)
            if available == 0 {
                if let state = settled { return End(state: state, offset: p, tornTail: nil) }
                settled = try probe()
                if settled == .beingWritten { return End(state: .beingWritten, offset: p, tornTail: nil) }
                continue   // data may have been added just before the writer let go: look again
            }
            var outcome = try decodeFrame(at: p)
            if case .incomplete = outcome {
                // A frame cut short may have been completed by its writer meanwhile: read it again.
                dropBuffer()
                outcome = try decodeFrame(at: p)
            }
            if case .frame(let size, let count, let inMemory) = outcome {
                try body(.frame(frame(at: p, size: size, count: count, inMemory: inMemory)))
                p += size
                frames += 1
                continue
            }
            var reason = "frame ends early"
            if case .bad(let r) = outcome { reason = r }
            // Look for the next intact frame after p.
            if let (q, size, count, inMemory) = try nextIntactFrame(after: p) {
                try body(.damaged(Damage(offset: p, length: q - p, reason: reason)))
                try body(.frame(frame(at: q, size: size, count: count, inMemory: inMemory)))
                p = q + size
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
            let fileEnd = max(try fileSize(), p)
            if case .incomplete = outcome {
                return End(state: settled!, offset: fileEnd, tornTail: TornTail(offset: p, length: fileEnd - p))
            }
            try body(.damaged(Damage(offset: p, length: fileEnd - p, reason: reason)))
            return End(state: settled!, offset: fileEnd, tornTail: nil)
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
}
