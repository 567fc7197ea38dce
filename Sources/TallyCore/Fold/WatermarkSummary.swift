/// The fold's watermark and the bounded summary it is computed from: the largest folded `ts`.
///
/// ```swift
/// var summary = WatermarkSummary(quorum: 16, window: 3_600_000)
/// if ts > summary.threshold { summary.insert(ts) }   // one compare for most events
/// summary.watermark                                  // nil until 16 events lie within one hour
/// ```
///
/// **The rule.** With K = `quorum`, W = `window` (the fold's `dedup_window`) and C = 2K, the
/// watermark is the larger of
/// 1. the latest folded `ts` t that K folded events vouch for: at least K of them (t's own event
///    included) have their `ts` in [t − W, t]; and
/// 2. the C-th largest folded `ts` (repeats counted), so that a stream too sparse for rule 1
///    still moves on, C events behind its latest;
///
/// and there is none while neither exists (fewer than K events folded, or fewer than C of which
/// no K lie within W). `floor` is a lower bound put on top from outside
/// (`FoldState.resumeRetention(watermark:)`). K = 1 is the rule of old: the largest `ts` folded.
///
/// **Why it holds.** T is the multiset of folded `ts`, M(T) its watermark, a₁ ≥ a₂ ≥ … its elements.
/// - *Order-independent, mergeable, monotone.* M is a function of the multiset alone, and both
///   rules only admit more when T grows: folding an event never moves the watermark back.
/// - *Bounded.* Rule 2 is a_C. Rule 1 matters only where it beats a_C, at some a_j with j < C,
///   which it admits iff a_{j+K−1} ≥ a_j − W (were a_j a repeat, the check at its first index is
///   no harder). So M(T) needs the L = C + K − 1 largest elements only: the summary keeps those,
///   and the largest L of a union are the largest L of the two parts' largest L (`merge`).
/// - *Fewer than K events cannot move it far.* Let E hold fewer than K events and N the others.
///   Then M(N) ≤ M(N ∪ E) ≤ max(N) + W: a `ts` rule 1 admits has at least one event of N in
///   its window, and the C-th largest of N ∪ E is at most the (C − |E|)-th largest of N.
/// - *Far-future events leave it exactly as it was.* If moreover every event of E lies more than
///   W after max(N), and at most K events of N lie after A, the last `ts` rule 1 admits in N
///   (or N holds at most K events when it admits none), then M(N ∪ E) = M(N): no event of E
///   is in the window of one of N, and one of E has fewer than K events in its own, so rule 1
///   admits the same; rule 2 gives the (C − |E|)-th largest of N, and C − |E| > K, so at most A
///   (or nothing: fewer than C events in all). Any steady stream, with K events within W of its
///   latest, meets this. So do the statuses, retention and dedup memory measured against it.
///
/// Cost: `insert` is O(1) for an event at or near the latest `ts` (in time order the common case,
/// one compare when the event is older than the L kept), O(L) at worst; `merge` is O(L log L).
struct WatermarkSummary: Sendable {
    /// K: how many events must vouch for a `ts` (rule 1); also C = 2K for rule 2.
    let quorum: Int
    /// W in milliseconds, at least 0.
    let window: Int64
    /// L = C + K − 1: how many of the largest `ts` are kept.
    let capacity: Int
    /// The kept `ts` in ascending order, in a ring: element `i` at `ring[(start + i) & mask]`.
    private var ring: [Int64]
    private var start = 0
    private(set) var count = 0
    /// An event whose `ts` is not above this leaves the summary as it is: the smallest kept `ts`
    /// once `capacity` are kept, else `Int64.min` (so an event at `Int64.min`, which no decoded
    /// event is, counts for nothing).
    private(set) var threshold: Int64 = .min
    /// The watermark of the rules alone, without `floor`.
    private(set) var computed: Int64?
    /// A lower bound set from outside; `nil` for none.
    private(set) var floor: Int64?
    /// `max(floor, computed)`.
    private(set) var watermark: Int64?

    init(quorum: Int, window: Int64) {
        precondition(quorum >= 1, "a watermark quorum of at least 1")
        self.quorum = quorum
        self.window = max(0, window)
        capacity = 3 * quorum - 1
        var size = 1
        while size < capacity { size <<= 1 }
        ring = Array(repeating: 0, count: size)
    }

    /// The kept `ts`, ascending.
    var timestamps: [Int64] { (0..<count).map { element($0) } }

    @inline(__always)
    private func element(_ index: Int) -> Int64 { ring[(start &+ index) & (ring.count &- 1)] }

    /// Adds one folded `ts` above `threshold`; returns whether the watermark moved.
    @inline(__always)
    @discardableResult
    mutating func insert(_ timestamp: Int64) -> Bool {
        let mask = ring.count &- 1
        if count == capacity {
            start = (start &+ 1) & mask
            count &-= 1
        }
        // Shift the larger ones up by one, from the top: in time order the new `ts` is the largest.
        var index = count
        while index > 0 {
            let below = ring[(start &+ index &- 1) & mask]
            guard below > timestamp else { break }
            ring[(start &+ index) & mask] = below
            index &-= 1
        }
        ring[(start &+ index) & mask] = timestamp
        count &+= 1
        if count == capacity { threshold = ring[start] }
        return update()
    }

    /// Raises `floor` to `timestamp` if that is later; returns whether the watermark moved.
    @discardableResult
    mutating func raiseFloor(to timestamp: Int64) -> Bool {
        if floor.map({ timestamp > $0 }) ?? true { floor = timestamp }
        return update()
    }

    /// Adds the other summary's `ts` (the same quorum and window) and its floor.
    mutating func merge(_ other: WatermarkSummary) {
        let merged = (timestamps + other.timestamps).sorted().suffix(capacity)
        replaceTimestamps(with: Array(merged))
        if let theirs = other.floor { raiseFloor(to: theirs) }
    }

    /// Keeps the `capacity` largest of `timestamps` (ascending) and computes the watermark anew.
    private mutating func replaceTimestamps(with timestamps: [Int64]) {
        let kept = timestamps.suffix(capacity)
        start = 0
        count = 0
        for timestamp in kept {
            ring[count] = timestamp
            count += 1
        }
        threshold = count == capacity ? ring[0] : .min
        computed = nil
        update()
    }

    @inline(__always)
    @discardableResult
    private mutating func update() -> Bool {
        computed = computedWatermark()
        let new: Int64? = switch (floor, computed) {
        case let (floor?, computed?): max(floor, computed)
        case let (floor, computed): floor ?? computed
        }
        defer { watermark = new }
        return new != watermark
    }

    /// Rules 1 and 2 over the kept `ts`: the first admitted among the C largest, else the C-th largest.
    @inline(__always)
    private func computedWatermark() -> Int64? {
        let vouchers = quorum &- 1
        let candidates = min(2 &* quorum, count &- vouchers)
        var rank = 0
        while rank < candidates {
            let latest = element(count &- 1 &- rank)
            let earliestVoucher = element(count &- 1 &- rank &- vouchers)
            let (span, overflow) = latest.subtractingReportingOverflow(earliestVoucher)
            if !overflow && span <= window { return latest }
            rank &+= 1
        }
        return count >= 2 &* quorum ? element(count &- 2 &* quorum) : nil
    }

    // MARK: Persistence

    /// The kept `ts` (ascending, as deltas) and the floor.
    func encode(into writer: inout PackedWriter) {
        writer.count(count)
        var previous: Int64 = 0
        for (index, timestamp) in timestamps.enumerated() {
            if index == 0 { writer.signed(timestamp) } else { writer.unsigned(UInt64(bitPattern: timestamp &- previous)) }
            previous = timestamp
        }
        writer.optionalSigned(floor)
    }

    /// Reads what `encode` wrote. A summary written with another quorum keeps the largest `ts` it
    /// can hold: with a larger quorum than before, it holds fewer than the rule asks for until
    /// more events are folded, so the watermark may stand behind the one the new rule gives all events.
    static func decode(
        from reader: inout PackedReader, quorum: Int, window: Int64
    ) throws(FoldDecodingError) -> WatermarkSummary {
        var summary = WatermarkSummary(quorum: quorum, window: window)
        var timestamps: [Int64] = []
        for index in 0..<(try reader.count()) {
            if index == 0 {
                timestamps.append(try reader.signed())
            } else {
                // Deltas are differences of ascending values: their bit pattern adds back exactly.
                let next = timestamps[index - 1] &+ Int64(bitPattern: try reader.unsigned())
                guard next >= timestamps[index - 1] else { throw reader.failure("watermark timestamps out of order") }
                timestamps.append(next)
            }
        }
        summary.replaceTimestamps(with: timestamps)
        if let floor = try reader.optionalSigned() { summary.raiseFloor(to: floor) }
        return summary
    }

    /// The summary of a state persisted before summaries were (format 1), which kept only the
    /// largest `ts` folded (`latest`): built from the last activity of every retained session,
    /// each the `ts` of a different folded event, and `latest` when no session holds it. That is
    /// part of what was folded, so the watermark it gives is never ahead of the one the rule gives
    /// all folded events; it is `latest` whenever K retained sessions were last active within W of
    /// it (any steady stream). A state whose `latest` was a far-future event (the rule of old
    /// trusted it) gets its watermark back from its sessions; what retention dropped and dedup
    /// forgot by that event's watermark stays dropped and forgotten.
    static func derived(
        quorum: Int, window: Int64, lastActivities: some Sequence<Int64>, latest: Int64?
    ) -> WatermarkSummary {
        var summary = WatermarkSummary(quorum: quorum, window: window)
        var timestamps = lastActivities.sorted()
        if let latest, timestamps.last.map({ latest > $0 }) ?? true { timestamps.append(latest) }
        summary.replaceTimestamps(with: timestamps)
        return summary
    }
}
