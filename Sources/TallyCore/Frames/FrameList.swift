/// The frames that hold a session's events, packed: a few bytes per (session, frame), not per event.
///
/// LEB128 varints. An entry is a head `v`: when `v & 1 == 0` the frame is in the same file as the
/// previous entry, at the zig-zag offset delta `v >> 1`; otherwise the file is `v >> 1` and a
/// varint gives the offset; then a varint counts the session's folded events in it. A list that
/// lost frames to retention starts with `0` and the number of events in them. Entries are in the
/// order the fold met them (not sorted: a replay folds files in parallel); a frame may appear more
/// than once. Readers sort and add up (``decode(_:)``).
///
/// ```swift
/// var list = FrameList()
/// list.note(FrameRef(file: 0, offset: 0))
/// list.note(FrameRef(file: 0, offset: 70_000))   // two bytes
/// FrameList.decode(list.bytes)                    // [(0, 0), (0, 70000)]
/// ```
package struct FrameList: Sendable, Hashable {
    /// The entries before the last one.
    private var closed: [UInt8] = []
    private var lastFile = UInt32.max
    private var lastOffset: Int64 = 0
    /// Events of the last entry.
    private var lastCount: UInt64 = 0
    /// Events in frames forgotten because retention deleted their files.
    package private(set) var forgotten: UInt64 = 0
    /// Changed since the frame index's last `takeFrameChanges()`.
    var isDirty = false

    package init() {}

    /// The list whose packed form is `bytes` (as written by a snapshot).
    package init(bytes: [UInt8]) {
        guard let decoded = try? Self.entries(bytes) else { return }
        forgotten = decoded.forgotten
        for entry in decoded.entries { note(entry.ref, events: entry.events) }
    }

    package var isEmpty: Bool { lastFile == .max && forgotten == 0 }

    /// The packed form.
    package var bytes: [UInt8] {
        var bytes: [UInt8] = []
        if forgotten > 0 {
            Self.append(0, to: &bytes)
            Self.append(forgotten, to: &bytes)
        }
        bytes += closed
        if lastFile != .max { Self.append(lastCount, to: &bytes) }
        return bytes
    }

    /// ``note(_:events:)`` of one event, marking the list changed; returns whether it was
    /// unchanged before (its session is then listed as changed).
    @inline(__always)
    mutating func noteMarkingDirty(_ ref: FrameRef) -> Bool {
        note(ref)
        guard !isDirty else { return false }
        isDirty = true
        return true
    }

    /// Counts an event in `ref`; returns whether `ref` began a new entry.
    @inline(__always) @discardableResult
    package mutating func note(_ ref: FrameRef, events: UInt64 = 1) -> Bool {
        if ref.file == lastFile && ref.offset == lastOffset {
            lastCount &+= events
            return false
        }
        if lastFile != .max { Self.append(lastCount, to: &closed) }
        if ref.file == lastFile {
            let delta = ref.offset &- lastOffset
            Self.append(UInt64(bitPattern: (delta << 1) ^ (delta >> 63)) << 1, to: &closed)
        } else {
            Self.append(UInt64(ref.file) << 1 | 1, to: &closed)
            Self.append(UInt64(bitPattern: ref.offset), to: &closed)
            lastFile = ref.file
        }
        lastOffset = ref.offset
        lastCount = events
        return true
    }

    @inline(__always)
    private static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// Adds every entry of `other`, its files renamed by `fileMap` (old id → new id) when given.
    mutating func add(_ other: FrameList, fileMap: [UInt32: UInt32]? = nil) {
        guard let decoded = try? Self.entries(other.bytes) else { return }
        forgotten &+= decoded.forgotten
        for entry in decoded.entries {
            let ref = fileMap.map { FrameRef(file: $0[entry.ref.file] ?? entry.ref.file, offset: entry.ref.offset) } ?? entry.ref
            note(ref, events: entry.events)
        }
    }

    /// Removes the entries of `files`, counting their events as forgotten; returns whether any was removed.
    mutating func remove(files: Set<UInt32>) -> Bool {
        guard let decoded = try? Self.entries(bytes),
            decoded.entries.contains(where: { files.contains($0.ref.file) })
        else { return false }
        let dirty = isDirty
        self = FrameList()
        isDirty = dirty
        forgotten = decoded.forgotten
        for entry in decoded.entries {
            if files.contains(entry.ref.file) { forgotten &+= entry.events } else { note(entry.ref, events: entry.events) }
        }
        return true
    }

    /// The entries of `bytes` in the order written, and the events of forgotten frames.
    package static func entries(
        _ bytes: [UInt8]
    ) throws(FoldDecodingError) -> (entries: [(ref: FrameRef, events: UInt64)], forgotten: UInt64) {
        var entries: [(ref: FrameRef, events: UInt64)] = []
        var forgotten: UInt64 = 0
        var position = 0
        var file = UInt32.max
        var offset: Int64 = 0
        func varint() throws(FoldDecodingError) -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while position < bytes.count {
                let byte = bytes[position]
                position += 1
                guard shift < 64 else { break }
                value |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
            }
            throw FoldDecodingError(code: .truncated, part: "frame list", offset: position, message: "truncated varint")
        }
        while position < bytes.count {
            let head = try varint()
            if head & 1 == 1 {
                guard head >> 1 < UInt64(UInt32.max) else {
                    throw FoldDecodingError(part: "frame list", offset: position, message: "file id out of range")
                }
                file = UInt32(head >> 1)
                offset = Int64(bitPattern: try varint())
            } else if head == 0 && position == 1 {
                forgotten = try varint()
                continue
            } else {
                guard file != .max else {
                    throw FoldDecodingError(part: "frame list", offset: position, message: "offset before any file")
                }
                let zigzag = head >> 1
                offset = offset &+ (Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1))
            }
            entries.append((FrameRef(file: file, offset: offset), try varint()))
        }
        return (entries, forgotten)
    }

    /// The frames of `bytes` sorted by file and offset, each once with its events added up, and
    /// the events of forgotten frames.
    package static func decode(
        _ bytes: [UInt8]
    ) throws(FoldDecodingError) -> (frames: [(ref: FrameRef, events: UInt64)], forgotten: UInt64) {
        var (entries, forgotten) = try entries(bytes)
        entries.sort { $0.ref < $1.ref }
        var unique: [(ref: FrameRef, events: UInt64)] = []
        unique.reserveCapacity(entries.count)
        for entry in entries {
            if let last = unique.last, last.ref == entry.ref {
                unique[unique.count - 1].events &+= entry.events
            } else {
                unique.append(entry)
            }
        }
        return (unique, forgotten)
    }
}
