import Synchronization
import TallyCore

/// The fold split by `session_id` into one shard per decode thread; events without a session go
/// by `event_id` (see `shard(of:count:)`). Each shard is a `FoldState` (retention suspended) behind its own lock, taken
/// once per batch.
///
/// ```swift
/// let shards = FoldShards(count: 2, settings: settings)
/// var backlog = FoldBacklog(shards: shards, firstTry: thread)   // one per decode thread
/// backlog.fold(events, parts: parts)   // parts from FoldShards.shard(of:count:)
/// backlog.finish()
/// var taken = ShardChanges(settling: shards.takeStates()!)  // once every thread is done
/// let fold = taken.merged()
/// ```
final class FoldShards: Sendable {
    private final class Shard: Sendable {
        let state: Mutex<FoldState>
        init(_ state: FoldState) { self.state = Mutex(state) }
    }

    private let shards: [Shard]
    private let settings: FoldSettings

    /// `expectedEvents`: about how many events all shards will fold (a capacity hint, see
    /// `ReplayPlan.expectedEvents`).
    /// `frameFiles`: the inputs, named in the frame index in this order by every shard (their ids agree).
    init(count: Int, settings: FoldSettings, expectedEvents: Int = 0, frameFiles: [String] = []) {
        let perShard = min(expectedEvents / max(1, count), Self.largestReservation)
        shards = (0..<max(1, count)).map { _ in
            var state = FoldState(settings: settings)
            state.suspendRetention()
            state.reserveEventIDs(perShard)
            for path in frameFiles { state.frameFileID(for: path) }
            return Shard(state)
        }
        self.settings = settings
    }

    /// A shard reserves room for at most this many event ids up front (a table of 96 MiB); past
    /// it, the table grows as the ids come.
    static let largestReservation = 1 << 20

    /// The shard of an event among `count`: every event of a session in one shard (a retry keeps
    /// its session, so its copies meet in that shard), events without a session by `event_id`.
    /// Copies of an `event_id` that carry different sessions can land in two shards: `takeStates()`
    /// finds them and the replay folds again on one thread.
    @inline(__always)
    static func shard(of event: Event, count: Int) -> UInt8 {
        withUnsafePointer(to: event) { shard(of: $0, count: count) }
    }

    /// `shard(of:count:)` of the event at `event`, read in place (the event is not copied).
    @inline(__always)
    static func shard(of event: UnsafePointer<Event>, count: Int) -> UInt8 {
        guard count > 1 else { return 0 }
        let hash: UInt64
        if var sessionID = event.pointee.sessionID {
            // ASCII ids by their bytes (cheaper than `Hasher`); others by `hashValue`, which
            // agrees with `String` equality for canonically equivalent texts too.
            hash = sessionID.withUTF8(asciiHash) ?? UInt64(UInt(bitPattern: sessionID.hashValue))
        } else if let eventID = event.pointee.eventID {
            hash = UInt64(UInt(bitPattern: eventID.hashValue))
        } else {
            return 0
        }
        return UInt8(truncatingIfNeeded: hash % UInt64(count))
    }

    /// A hash of ASCII bytes, eight at a time; `nil` when a byte is not ASCII.
    @inline(__always)
    private static func asciiHash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard let base = bytes.baseAddress else { return 0 }
        let raw = UnsafeRawPointer(base)
        let count = bytes.count
        var hash = UInt64(truncatingIfNeeded: count) &* 0x9E37_79B9_7F4A_7C15
        var high: UInt64 = 0
        var offset = 0
        while offset &+ 8 <= count {
            let word = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            high |= word
            hash = (hash ^ word) &* 0xFF51_AFD7_ED55_8CCD
            hash ^= hash &>> 32
            offset &+= 8
        }
        while offset < count {
            let byte = UInt64(base[offset])
            high |= byte
            hash = (hash ^ byte) &* 0xC4CE_B9FE_1A85_EC53
            offset &+= 1
        }
        guard high & 0x8080_8080_8080_8080 == 0 else { return nil }
        return hash ^ (hash &>> 29)
    }

    var count: Int { shards.count }

    /// Folds the events of `pending` shards into them, starting with the shard `firstTry` (modulo the
    /// count), and clears their flags. Without `waiting` a busy shard is skipped; with it, every pending
    /// shard is folded, waiting only once a round found all of them busy. Returns whether none is left.
    func fold(
        _ events: UnsafeBufferPointer<Event>, parts: UnsafeBufferPointer<UInt8>, marks: [FrameMark] = [], pending: inout [Bool],
        firstTry: Int, waiting: Bool
    ) -> Bool {
        let count = shards.count
        var left = pending.reduce(0) { $0 + ($1 ? 1 : 0) }
        var foundAllBusy = false
        while left > 0 {
            var foldedAny = false
            for step in 0..<count {
                let shard = (firstTry + step) % count
                guard pending[shard] else { continue }
                let part = UInt8(shard)
                if waiting && (left == 1 || foundAllBusy) {
                    shards[shard].state.withLock { $0.fold(events, parts: count == 1 ? nil : parts, part: part, marks: marks) }
                } else {
                    let done: Void? = shards[shard].state.withLockIfAvailable {
                        $0.fold(events, parts: count == 1 ? nil : parts, part: part, marks: marks)
                    }
                    if done == nil { continue }
                }
                pending[shard] = false
                left -= 1
                foldedAny = true
            }
            if !waiting { break }
            if !foldedAny { foundAllBusy = true }
        }
        return left == 0
    }

    /// Runs `body` on one shard's state under its lock.
    func withShard<Result>(_ index: Int, _ body: (inout FoldState) -> Result) -> Result {
        shards[index].state.withLock { body(&$0) }
    }

    /// Takes every shard's state out (retention still suspended), once every `fold` has returned.
    /// `nil` when two shards folded copies of the same `event_id` (copies with different sessions):
    /// their merge would count that event twice.
    func takeStates() -> [FoldState]? {
        let parts: [FoldState] = shards.map { shard in
            var part = FoldState(settings: settings)
            shard.state.withLock { swap(&part, &$0) }
            return part
        }
        for later in parts.indices.dropFirst() {
            for earlier in 0..<later where parts[later].sharesFoldedEventIDs(with: parts[earlier]) { return nil }
        }
        return parts
    }
}
