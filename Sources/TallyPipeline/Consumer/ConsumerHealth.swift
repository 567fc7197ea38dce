import TallyCore

/// What a `tally run` snapshot records under `health` in its manifest:
///
/// ```json
/// {"damaged_frames":0,"events_per_second":51234.5,"lag_bytes":0,"lag_frames":0,"lag_oldest_ms":null,
///  "mode":"run","sessions_evicted":120431,"sessions_in_memory":2210,"sessions_reloaded":17,
///  "torn_tails":1,"unreadable_files":0,"writers":4}
/// ```
///
/// - `lag_bytes`: bytes of segment files not yet folded (Σ file size − cursor offset over the
///   segments not finished), measured when the snapshot is written.
/// - `lag_frames`: whole frames in those bytes (frame headers walked, nothing decompressed).
/// - `lag_oldest_ms`: now − modification time of the oldest segment file holding unfolded
///   frames; a lower bound of the age of the oldest unfolded frame (`null` without lag).
/// - `events_per_second`: valid events (duplicates included) folded per second since the
///   previous snapshot.
/// - `torn_tails`, `damaged_frames`: seen so far, carried over restarts.
/// - `unreadable_files`: segment files that failed to open or read in the last round.
/// - `writers`: writer streams in the spool.
/// - `sessions_in_memory`, `sessions_evicted`: retained sessions in memory and out of it (settled,
///   see `sessions.evict_after`) when the snapshot was written; `sessions_reloaded`: evicted
///   sessions read back (for a late event, or for retention) since the consumer started.
struct ConsumerHealth: Equatable {
    var lagBytes: Int64 = 0
    var lagFrames: Int64 = 0
    var lagOldestMs: Int64?
    var eventsPerSecond: Double = 0
    var tornTails: Int64 = 0
    var damagedFrames: Int64 = 0
    var unreadableFiles = 0
    var writers = 0
    var sessionsInMemory = 0
    var sessionsEvicted = 0
    var sessionsReloaded = 0

    /// Whether `self` differs from `other` enough to be worth a snapshot of its own: any count,
    /// the lag, or the rate starting or stopping (not the rate's exact value nor the lag's age).
    func differsMeaningfully(from other: ConsumerHealth) -> Bool {
        lagBytes != other.lagBytes || lagFrames != other.lagFrames || tornTails != other.tornTails
            || damagedFrames != other.damagedFrames || unreadableFiles != other.unreadableFiles
            || writers != other.writers || (eventsPerSecond == 0) != (other.eventsPerSecond == 0)
    }

    /// The manifest's `health` object, keys sorted; the rate rounded to 0.1 event/s.
    var value: JSONValue {
        .object([
            ("damaged_frames", .int(damagedFrames)),
            ("events_per_second", .double((eventsPerSecond * 10).rounded() / 10)),
            ("lag_bytes", .int(lagBytes)),
            ("lag_frames", .int(lagFrames)),
            ("lag_oldest_ms", .int(lagOldestMs)),
            ("mode", .string("run")),
            ("sessions_evicted", .int(Int64(sessionsEvicted))),
            ("sessions_in_memory", .int(Int64(sessionsInMemory))),
            ("sessions_reloaded", .int(Int64(sessionsReloaded))),
            ("torn_tails", .int(tornTails)),
            ("unreadable_files", .int(unreadableFiles)),
            ("writers", .int(writers)),
        ])
    }

    /// The cumulative counters of a restored snapshot's health (zero when absent or not from `run`).
    static func restoredCounters(_ health: JSONValue) -> (tornTails: Int64, damagedFrames: Int64) {
        (health["torn_tails"]?.int64Value ?? 0, health["damaged_frames"]?.int64Value ?? 0)
    }
}
