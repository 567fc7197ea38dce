import TallyCore

/// Caller-supplied facts recorded in a snapshot's manifest, as typed values: the pipeline
/// fills the positions, settings and health; the writer only writes them.
///
/// ```swift
/// let metadata = SnapshotMetadata(
///     positions: .streams(["api.W": .init(segment: "api.W.00000003.zst", offset: 4096)]),
///     settings: settings.canonicalValue(), health: .object([("lag_bytes", .int(0))]),
///     deadLetterDirectory: "/var/tally/dead-letter")
/// ```
///
/// A snapshot written through the public ``init(deadLetterDirectory:snapshotAt:)`` records no
/// positions, settings or health (`{}` each).
public struct SnapshotMetadata: Sendable {
    /// Where the folded input ends, given back by ``RestoredSnapshot/positions``; `nil` records `{}`.
    package var positions: SnapshotPositions?
    /// The pipeline settings the fold ran with (the canonical object, price table included).
    package var settings: JSONValue
    /// A JSON object: consumer lag and the like; `query summary` shows it as `health`.
    package var health: JSONValue
    /// Where the dead-letter NDJSON files are; `query invalid` reads them. A relative path
    /// resolves against the snapshot directory.
    public var deadLetterDirectory: String?
    /// Wall-clock time of the snapshot in epoch ms; `nil` is now.
    public var snapshotAt: Int64?
    /// The identity of the spool folded (`tally run`), recorded as `spool_id`.
    package var spoolIdentity: String?

    package init(
        positions: SnapshotPositions?, settings: JSONValue, health: JSONValue = .emptyObject,
        deadLetterDirectory: String? = nil, snapshotAt: Int64? = nil, spoolIdentity: String? = nil
    ) {
        self.spoolIdentity = spoolIdentity
        self.positions = positions
        self.settings = settings
        self.health = health
        self.deadLetterDirectory = deadLetterDirectory
        self.snapshotAt = snapshotAt
    }

    public init(deadLetterDirectory: String? = nil, snapshotAt: Int64? = nil) {
        self.init(positions: nil, settings: .emptyObject, deadLetterDirectory: deadLetterDirectory, snapshotAt: snapshotAt)
    }
}
