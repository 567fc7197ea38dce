internal import TallyPosix
extension SpoolWriter {
    /// Appends NDJSON read from a file descriptor (e.g. standard input, `0`) until end of file.
    ///
    /// ```swift
    /// let writer = try SpoolWriter(directory: "spool", producer: "cli")
    /// let bytes = try writer.appendLines(from: 0)   // `tally append` in one call
    /// try writer.close()
    /// ```
    ///
    /// Lines are batched: a batch goes to ``append(_:)-(UnsafeRawBufferPointer)`` when 4 frames'
    /// worth of whole lines are buffered, or `maxDelay` after its first line arrived
    /// (a slow trickle is still appended promptly; `poll(2)` bounds the wait).
    ///
    /// Input is not validated: invalid UTF-8 and invalid JSON are appended as they are
    /// (the consumer dead-letters them). A last line without a newline gets one. Empty input
    /// appends nothing. A line longer than `maxLineBytes` is still appended, as a frame of
    /// its own, compressed while it is read: memory stays below about
    /// `max(maxLineBytes, 4 × maxFrameBytes) + 1 MiB` whatever the line length.
    ///
    /// - Returns: the number of bytes read.
    public func appendLines(
        from fileDescriptor: Int32, maxLineBytes: Int = 1 << 20, maxDelay: Duration = .milliseconds(100)
    ) throws -> Int64 {
        var linesRead: Int64 = 0
        return try appendLines(from: fileDescriptor, maxLineBytes: maxLineBytes, maxDelay: maxDelay, linesRead: &linesRead)
    }

    /// ``appendLines(from:maxLineBytes:maxDelay:)`` that also counts the lines it read (a last
    /// line without a newline included) in `linesRead`, also when it throws: with
    /// ``linesAppended`` it says how much of the input a failed append kept.
    ///
    /// ```swift
    /// var read: Int64 = 0
    /// do { _ = try writer.appendLines(from: 0, linesRead: &read); try writer.close() }
    /// catch { print("appended \(writer.linesAppended) of \(read) lines: \(error)") }
    /// ```
    public func appendLines(
        from fileDescriptor: Int32, maxLineBytes: Int = 1 << 20, maxDelay: Duration = .milliseconds(100),
        linesRead: inout Int64
    ) throws -> Int64 {
        let chunk = 1 << 20
        let batchTarget = 4 * configuration.maxFrameBytes
        let buffer = ByteBuffer(capacity: min(batchTarget, max(maxLineBytes, 1 << 16)) + chunk)
        let source = "standard input"
        var count = 0      // bytes buffered
        var complete = 0   // bytes of whole lines at the front of the buffer
        var total: Int64 = 0
        var deadline: ContinuousClock.Instant? = nil
        var lines: Int64 = 0   // newlines read
        var pending = false    // bytes read after the last newline
        defer { linesRead = lines + (pending ? 1 : 0) }

        /// Counts the lines in `n` bytes just read at `p`.
        func noteRead(_ p: UnsafeRawPointer, _ n: Int) {
            guard n > 0 else { return }
            lines += Int64(FrameCut.newlineCount(p, n))
            pending = p.load(fromByteOffset: n - 1, as: UInt8.self) != 0x0A
        }

        func appendComplete() throws {
            guard complete > 0 else { return }
            try append(UnsafeRawBufferPointer(start: buffer.base, count: complete))
            count -= complete
            if count > 0 { buffer.base.copyMemory(from: buffer.base + complete, byteCount: count) }
            complete = 0
            deadline = nil
        }

        func noteNewlines(from start: Int) {
            var i = count - 1
            let bytes = buffer.base.assumingMemoryBound(to: UInt8.self)
            while i >= start {
                if bytes[i] == 0x0A {
                    complete = i + 1
                    break
                }
                i -= 1
            }
            if complete > 0 && deadline == nil { deadline = .now + maxDelay }
        }

        while true {
            if let due = deadline {
                let left = ContinuousClock.now.duration(to: due)
                let ms = left <= .zero ? 0 : Int32(clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
                if ms == 0 || !Posix.waitReadable(fileDescriptor, timeoutMilliseconds: ms) {
                    try appendComplete()
                    continue
                }
            }
            if buffer.capacity - count < chunk / 4 {
                if complete > 0 {
                    try appendComplete()
                } else if count >= maxLineBytes {
                    // One line fills the buffer: stream it into a frame of its own.
                    var ended = false
                    try appendStreamingLine { sink in
                        try sink(UnsafeRawBufferPointer(start: buffer.base, count: count))
                        count = 0
                        while true {
                            let n = try io { try Posix.read(fileDescriptor, buffer.base, buffer.capacity, path: source) }
                            total += Int64(n)
                            noteRead(buffer.base, n)
                            if n == 0 {
                                ended = true
                                return
                            }
                            if let nl = FrameCut.firstNewline(buffer.base, n) {
                                try sink(UnsafeRawBufferPointer(start: buffer.base, count: nl))
                                count = n - nl - 1
                                if count > 0 { buffer.base.copyMemory(from: buffer.base + nl + 1, byteCount: count) }
                                return
                            }
                            try sink(UnsafeRawBufferPointer(start: buffer.base, count: n))
                        }
                    }
                    if ended { break }
                    noteNewlines(from: 0)
                    continue
                } else {
                    buffer.reserve(count + chunk, keeping: count)
                }
            }
            let n = try io { try Posix.read(fileDescriptor, buffer.base + count, buffer.capacity - count, path: source) }
            if n == 0 {
                if count > 0 { try append(UnsafeRawBufferPointer(start: buffer.base, count: count)) }
                break
            }
            total += Int64(n)
            count += n
            noteRead(buffer.base + count - n, n)
            noteNewlines(from: count - n)
            if complete >= batchTarget { try appendComplete() }
        }
        return total
    }
}
