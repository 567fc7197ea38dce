import Foundation

/// What a `tally run` snapshot records under `health` in its manifest:
///
/// ```json
/// {"damaged_frames":0,"events_per_second":51234.5,"lag_bytes":0,"lag_frames":0,"lag_oldest_ms":null,
///  "mode":"run","torn_tails":1,"unreadable_files":0,"writers":4}
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
struct ConsumerHealth: Equatable {
    var lagBytes: Int64 = 0
    var lagFrames: Int64 = 0
    var lagOldestMs: Int64?
    var eventsPerSecond: Double = 0
    var tornTails: Int64 = 0
    var damagedFrames: Int64 = 0
    var unreadableFiles = 0
    var writers = 0

    /// Whether `self` differs from `other` enough to be worth a snapshot of its own: any count,
    /// the lag, or the rate starting or stopping (not the rate's exact value nor the lag's age).
    func differsMeaningfully(from other: ConsumerHealth) -> Bool {
        lagBytes != other.lagBytes || lagFrames != other.lagFrames || tornTails != other.tornTails
            || damagedFrames != other.damagedFrames || unreadableFiles != other.unreadableFiles
            || writers != other.writers || (eventsPerSecond == 0) != (other.eventsPerSecond == 0)
    }

    func json() -> String {
        let rate = (eventsPerSecond * 10).rounded() / 10
        return "{" + [
            "\"damaged_frames\":\(damagedFrames)",
            "\"events_per_second\":\(rate)",
            "\"lag_bytes\":\(lagBytes)",
            "\"lag_frames\":\(lagFrames)",
            "\"lag_oldest_ms\":" + (lagOldestMs.map(String.init) ?? "null"),
            "\"mode\":\"run\"",
            "\"torn_tails\":\(tornTails)",
            "\"unreadable_files\":\(unreadableFiles)",
            "\"writers\":\(writers)",
        ].joined(separator: ",") + "}"
    }

    /// The cumulative counters of a restored snapshot's health (zero when absent or not from `run`).
    static func restoredCounters(_ json: String) -> (tornTails: Int64, damagedFrames: Int64) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return (0, 0) }
        func count(_ key: String) -> Int64 { (object[key] as? NSNumber)?.int64Value ?? 0 }
        return (count("torn_tails"), count("damaged_frames"))
    }
}
