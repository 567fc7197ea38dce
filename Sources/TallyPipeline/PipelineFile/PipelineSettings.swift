import TallyCore

/// A pipeline file (shared/spec/pipeline.md), loaded and checked: where producers append,
/// where snapshots go, and the thresholds and prices the fold uses.
///
/// ```swift
/// let settings = try PipelineSettings.load(path: "Pipelines/default.yaml")
/// settings.spool                  // "/srv/tally/Pipelines/spool" (absolute)
/// settings.segment.maxBytes       // 67_108_864
/// settings.fold.pricing["gpt-4.1"]?.inputPicosPerToken
/// ```
///
/// Every key is optional. Relative paths resolve against the pipeline file's folder. Any fault
/// (unknown key, wrong type, bad size, duration, enum or price) throws a `PipelineFileError`
/// naming the file, the line and the key.
package struct PipelineSettings: Sendable, Hashable {
    /// Absolute path of the pipeline file, if loaded from one.
    package var file: String?
    /// Absolute directory that producers append to.
    package var spool: String
    /// Absolute directory where `tally run` writes snapshots.
    package var snapshots: String
    /// Absolute directory where invalid lines go.
    package var deadLetter: String
    package var segment: SegmentSettings
    package var snapshot: SnapshotSettings
    /// Sealed, fully folded segments older than this are deleted. Default 7 d.
    package var retentionSegmentsMs: Int64
    /// Sessions, alerts, limits, pricing and session retention: what shapes the fold.
    package var fold: FoldSettings
    /// `sessions.evict_after`: `tally run` moves a session out of memory once it has ended, the
    /// snapshot holds it as it is, and it was last active this long behind the watermark (a late
    /// event reads it back). `nil` (`never`): every retained session stays in memory. Default 1 h.
    /// Memory only: snapshots are the same either way (not in the canonical settings).
    package var evictAfterMs: Int64? = 3_600_000

    /// Every default of pipeline.md, with `spool`, `snapshots` and `dead-letter` in `directory`
    /// (made absolute against the working directory when relative).
    package static func defaults(relativeTo directory: String) -> PipelineSettings {
        let base = PipelinePath.absolute(directory)
        return PipelineSettings(
            file: nil,
            spool: PipelinePath.resolve("./spool", against: base),
            snapshots: PipelinePath.resolve("./snapshots", against: base),
            deadLetter: PipelinePath.resolve("./dead-letter", against: base),
            segment: SegmentSettings(),
            snapshot: SnapshotSettings(),
            retentionSegmentsMs: 7 * 86_400_000,
            fold: FoldSettings(),
            evictAfterMs: 3_600_000)
    }

    /// Reads and checks the pipeline file at `path`; an empty file gives every default.
    package static func load(path: String) throws -> PipelineSettings {
        try parse(yaml: PipelineFileReader.read(path: path), path: path)
    }

    /// Checks `yaml` as if read from `path` (which names the file in errors and anchors relative paths).
    package static func parse(yaml: String, path: String) throws -> PipelineSettings {
        try PipelineFileReader(file: path).settings(from: yaml)
    }
}

/// The `segment` section: when the spool seals a segment and how it writes it.
package struct SegmentSettings: Sendable, Hashable {
    /// Seal and start a new segment past this size. Default 64 MiB.
    package var maxBytes: Int = 64 << 20
    /// ... or past this age. Default 5 min.
    package var maxAgeMs: Int64 = 300_000
    /// zstd level, 1…19. Default 3.
    package var compressionLevel: Int32 = 3
    package var fsync: FsyncMode = .always
    /// With `fsync: interval`. Default 1 s.
    package var fsyncIntervalMs: Int64 = 1_000

    package init() {}
}

/// When an append is made durable.
package enum FsyncMode: String, Sendable, Hashable, CaseIterable {
    /// Before `append` returns.
    case always
    /// At most `fsync_interval` after the append.
    case interval
    /// Left to the operating system.
    case never
}

/// The `snapshot` section.
package struct SnapshotSettings: Sendable, Hashable {
    /// How often `tally run` writes a snapshot. Default 10 s.
    package var everyMs: Int64 = 10_000
    /// How many complete snapshots to keep, 1 or more. Default 5.
    package var keep: Int = 5

    package init() {}
}
