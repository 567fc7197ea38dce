/// The frames that hold a session's events, packed: a few bytes per (session, frame), not per event.
///
/// An entry is one LEB128 varint `v`: when `v & 1 == 0` the frame is in the same file as the
/// previous entry, at the zig-zag offset delta `v >> 1`; otherwise the file is `v >> 1` and a
/// second varint gives the offset. Entries are in the order the fold met them (not sorted: a replay
/// folds files in parallel); a frame may appear more than once. Readers sort and deduplicate
/// (``decode(_:)``).
///
/// ```swift
/// var list = FrameList()
/// list.note(FrameRef(file: 0, offset: 0))
/// list.note(FrameRef(file: 0, offset: 70_000))   // two bytes
/// FrameList.decode(list.bytes)                    // [(0, 0), (0, 70000)]
/// ```
package struct FrameList: Sendable, Hashable {
    package private(set) var bytes: [UInt8] = []
    private var lastFile = UInt32.max
    private var lastOffset: Int64 = 0
    /// Changed since the frame index's last `takeFrameChanges()`.
    var isDirty = false

    package init() {}

    /// The list whose packed entries are `bytes` (as written by a snapshot).
    package init(bytes: [UInt8]) {
        for ref in (try? Self.entries(bytes)) ?? [] { note(ref) }
    }

    package var isEmpty: Bool { bytes.isEmpty }

    /// Adds `ref` unless it is the last entry; returns whether it was added.
    @inline(__always) @discardableResult
    package mutating func note(_ ref: FrameRef) -> Bool {
        if ref.file == lastFile {
            guard ref.offset != lastOffset else { return false }
            let delta = ref.offset &- lastOffset
            append(UInt64(bitPattern: (delta << 1) ^ (delta >> 63)) << 1)
        } else {
            append(UInt64(ref.file) << 1 | 1)
            append(UInt64(bitPattern: ref.offset))
            lastFile = ref.file
        }
        lastOffset = ref.offset
        return true
    }

    @inline(__always)
    private mutating func append(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// Adds every entry of `other`, its files renamed by `fileMap` (old id → new id) when given.
    mutating func add(_ other: FrameList, fileMap: [UInt32: UInt32]? = nil) {
        for ref in (try? Self.entries(other.bytes)) ?? [] {
            note(fileMap.map { FrameRef(file: $0[ref.file] ?? ref.file, offset: ref.offset) } ?? ref)
        }
    }

    /// Removes the entries of `files`; returns whether any was removed.
    mutating func remove(files: Set<UInt32>) -> Bool {
        let refs = (try? Self.entries(bytes)) ?? []
        guard refs.contains(where: { files.contains($0.file) }) else { return false }
        self = FrameList()
        for ref in refs where !files.contains(ref.file) { note(ref) }
        return true
    }

    /// The entries of `bytes` in the order written.
    package static func entries(_ bytes: [UInt8]) throws(FoldDecodingError) -> [FrameRef] {
        var refs: [FrameRef] = []
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
            throw FoldDecodingError(part: "frame list", offset: position, message: "truncated varint")
        }
        while position < bytes.count {
            let head = try varint()
            if head & 1 == 1 {
                guard head >> 1 <= UInt64(UInt32.max) else {
                    throw FoldDecodingError(part: "frame list", offset: position, message: "file id out of range")
                }
                file = UInt32(head >> 1)
                offset = Int64(bitPattern: try varint())
            } else {
                guard file != .max else {
                    throw FoldDecodingError(part: "frame list", offset: position, message: "offset before any file")
                }
                let zigzag = head >> 1
                offset = offset &+ (Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1))
            }
            refs.append(FrameRef(file: file, offset: offset))
        }
        return refs
    }

    /// The frames of `bytes`, sorted by file and offset, each once.
    package static func decode(_ bytes: [UInt8]) throws(FoldDecodingError) -> [FrameRef] {
        var refs = try entries(bytes)
        refs.sort()
        var unique: [FrameRef] = []
        unique.reserveCapacity(refs.count)
        for ref in refs where unique.last != ref { unique.append(ref) }
        return unique
    }
}
