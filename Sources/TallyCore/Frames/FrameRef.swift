/// Where some of a session's events lie: a file of the frame index (``FrameFiles``) and the byte
/// offset of a zstd frame in it, or of a line-aligned block of a plain NDJSON file.
///
/// ```swift
/// let ref = FrameRef(file: 0, offset: 4096)
/// ```
public struct FrameRef: Sendable, Hashable, Comparable {
    public var file: UInt32
    public var offset: Int64

    public init(file: UInt32, offset: Int64) {
        self.file = file
        self.offset = offset
    }

    public static func < (a: FrameRef, b: FrameRef) -> Bool {
        (a.file, a.offset) < (b.file, b.offset)
    }
}

/// The first event of a batch that lies in a frame: the events from `firstEvent` up to the next
/// mark's lie in `frame`. A replay's decode thread records one per frame (or block) it decodes.
public struct FrameMark: Sendable, Hashable {
    public var firstEvent: Int
    public var frame: FrameRef

    public init(firstEvent: Int, frame: FrameRef) {
        self.firstEvent = firstEvent
        self.frame = frame
    }
}
