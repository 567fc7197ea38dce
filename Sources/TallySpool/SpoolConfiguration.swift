/// How a ``SpoolWriter`` cuts, compresses and syncs segments.
///
/// ```swift
/// var config = SpoolConfiguration()
/// config.fsync = .interval(.seconds(1))
/// config.maxSegmentBytes = 64 << 20
/// let writer = try SpoolWriter(directory: "spool", producer: "api", configuration: config)
/// ```
public struct SpoolConfiguration: Sendable, Hashable {
    /// When appended lines reach the disk.
    public enum Fsync: Sendable, Hashable {
        /// Each `append` returns after its frames and the segment's directory entry are on disk.
        case always
        /// A background thread syncs every half interval: at most this much of
        /// acknowledged lines is lost on power loss.
        case interval(Duration)
        /// The OS writes back when it likes (segments are still synced before they are sealed).
        case never
    }

    /// Seal the active segment once its file reaches this many (compressed) bytes. Default 64 MiB.
    public var maxSegmentBytes: Int64
    /// Seal the active segment at the first batch boundary after it is this old. Default 5 minutes.
    public var maxSegmentAge: Duration
    /// zstd level, 1...19 (negative levels are zstd's fast levels). Default 3.
    public var compressionLevel: Int
    /// Default `.always`.
    public var fsync: Fsync
    /// Uncompressed bytes of whole lines per frame. A longer line gets a frame of its own. Default 1 MiB.
    public var maxFrameBytes: Int

    public init(
        maxSegmentBytes: Int64 = 64 << 20,
        maxSegmentAge: Duration = .seconds(300),
        compressionLevel: Int = 3,
        fsync: Fsync = .always,
        maxFrameBytes: Int = 1 << 20
    ) {
        self.maxSegmentBytes = maxSegmentBytes
        self.maxSegmentAge = maxSegmentAge
        self.compressionLevel = compressionLevel
        self.fsync = fsync
        self.maxFrameBytes = maxFrameBytes
    }
}
