/// The `ts` of the folded copies of each `event_id` still inside the dedup horizon, keyed by the id's
/// 128-bit fingerprint in a flat open-addressing table (no string hashing, no per-id allocation).
///
/// A copy is a duplicate when its `ts` is within `window` (inclusive) of a folded copy of the same id.
/// ``evict(watermark:window:)``, run by the fold at snapshot boundaries only, forgets ids whose
/// copies are all more than 2 × `window` behind the watermark, so a copy whose `ts` is within one
/// window of the watermark of the last snapshot is always recognized.
///
/// Memory: a 24-byte slot per remembered id in a table kept between a sixth and a half full,
/// 48 to 144 bytes an id, and while the table grows the old one as well; the ids of up to
/// 2 × `window` of event time (about 100 MB for 1.8 M events inside one window). A further
/// copy of an id costs an entry in `extraCopies`.
///
/// ```swift
/// var index = DedupIndex()
/// index.admit(eventID: EventID("e1"), timestamp: 1_000, window: 3_600_000)  // true: fold it
/// index.admit(eventID: EventID("e1"), timestamp: 2_000, window: 3_600_000)  // false: duplicate
/// ```
struct DedupIndex: Sendable {
    /// One probe touches one slot. A slot is empty when its fingerprint is (0, 0)
    /// (a real (0, 0) is stored as (0, 1)).
    private struct Slot {
        var high: UInt64 = 0
        var low: UInt64 = 0
        var timestamp: Int64 = 0
        var isEmpty: Bool { high == 0 && low == 0 }
    }

    private var slots = Array(repeating: Slot(), count: 1_024)
    /// Further folded copies of an id, each more than a window from the others (rare).
    private var extraCopies: [EventID: [Int64]] = [:]
    private(set) var count = 0
    /// Sum of the words `touch(_:)` loaded; kept only so that its loads are not optimized away.
    private var touched: UInt64 = 0

    /// Records a folded copy of `eventID` at `timestamp` and returns true, or returns false for a duplicate.
    @inline(__always)
    @discardableResult
    mutating func admit(eventID: EventID, timestamp: Int64, window: Int64) -> Bool {
        let key = Self.storable(eventID)
        let slot = findSlot(key)
        if slots[slot].isEmpty {
            occupy(slot, key, timestamp)
            return true
        }
        if isWithin(slots[slot].timestamp, timestamp, window) { return false }
        if let extra = extraCopies[key] {
            if extra.contains(where: { isWithin($0, timestamp, window) }) { return false }
        }
        extraCopies[key, default: []].append(timestamp)
        return true
    }

    /// Loads the slot where the search for `eventID` starts, so that an `admit` of it soon after
    /// finds it in cache. Touching the slots of a run of events before admitting them overlaps
    /// their cache misses instead of waiting for each in turn. Changes nothing `admit` sees.
    @inline(__always)
    mutating func touch(_ eventID: EventID) {
        let key = Self.storable(eventID)
        touched &+= slots[Int(truncatingIfNeeded: key.low) & (slots.count - 1)].high
    }

    /// Every remembered id with the `ts` of its folded copies.
    func forEachEntry(_ body: (EventID, [Int64]) -> Void) {
        for slot in slots where !slot.isEmpty {
            let key = EventID(high: slot.high, low: slot.low)
            body(key, [slot.timestamp] + (extraCopies[key] ?? []))
        }
    }

    /// Makes room for `count` remembered ids without growing the table step by step.
    mutating func reserve(_ count: Int) {
        var size = slots.count
        while size < count * 2 + 2 { size *= 2 }
        if size > slots.count { rehash(keepingCopiesFrom: nil, minimumSize: size) }
    }

    mutating func evict(watermark: Int64, window: Int64) {
        let (cutoff, overflow) = watermark.subtractingReportingOverflow(window.multipliedReportingOverflow(by: 2).partialValue)
        guard !overflow else { return }
        // A scan is much cheaper than a rehash, and parts about to be merged evict before the merge
        // and again when they take their changes, with nothing left to drop the second time.
        let hasExpired = slots.contains { !$0.isEmpty && $0.timestamp < cutoff }
            || extraCopies.values.contains { $0.contains { $0 < cutoff } }
        guard hasExpired else { return }
        rehash(keepingCopiesFrom: cutoff)
    }

    /// Adds the other part's folded copies. A copy within the window of one folded here was folded
    /// by both parts; both stay folded (see `FoldState.merge`).
    mutating func merge(_ other: DedupIndex, window: Int64) {
        for slot in other.slots where !slot.isEmpty {
            let key = EventID(high: slot.high, low: slot.low)
            admit(eventID: key, timestamp: slot.timestamp, window: window)
            if let extra = other.extraCopies[key] {
                for timestamp in extra { admit(eventID: key, timestamp: timestamp, window: window) }
            }
        }
    }


    /// Whether some id has a folded copy here within `window` of a folded copy in `other`.
    func sharesFoldedCopies(with other: DedupIndex, window: Int64) -> Bool {
        for slot in other.slots where !slot.isEmpty {
            let key = EventID(high: slot.high, low: slot.low)
            let mine = findSlot(Self.storable(key))
            guard !slots[mine].isEmpty else { continue }
            let ours = [slots[mine].timestamp] + (extraCopies[key] ?? [])
            let theirs = [slot.timestamp] + (other.extraCopies[key] ?? [])
            for a in ours { for b in theirs where isWithin(a, b, window) { return true } }
        }
        return false
    }

    /// Restores an id with the `ts` of its folded copies (from persisted globals).
    mutating func insert(_ eventID: EventID, copies: [Int64]) {
        for timestamp in copies { admit(eventID: eventID, timestamp: timestamp, window: -1) }
    }

    // MARK: Table

    @inline(__always)
    private static func storable(_ key: EventID) -> EventID {
        key.high == 0 && key.low == 0 ? EventID(high: 0, low: 1) : key
    }

    /// The slot holding `key`, or the empty slot where it belongs (linear probing).
    @inline(__always)
    private func findSlot(_ key: EventID) -> Int {
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: key.low) & mask
        while true {
            let slot = slots[index]
            if (slot.high == key.high && slot.low == key.low) || slot.isEmpty { return index }
            index = (index + 1) & mask
        }
    }

    @inline(__always)
    private mutating func occupy(_ slot: Int, _ key: EventID, _ timestamp: Int64) {
        slots[slot] = Slot(high: key.high, low: key.low, timestamp: timestamp)
        count += 1
        if count * 2 > slots.count { grow() }
    }

    /// Moves every entry into a table of at least `minimumSize` slots and three per entry, from
    /// the old table directly: while it grows, the index holds the two tables and nothing else.
    private mutating func grow(minimumSize: Int = 1_024) {
        var size = minimumSize
        while size < count * 3 { size *= 2 }
        let old = slots
        slots = Array(repeating: Slot(), count: size)
        for slot in old where !slot.isEmpty {
            slots[findSlot(EventID(high: slot.high, low: slot.low))] = slot
        }
    }

    /// Moves every entry into a new table (at most a third full), dropping copies older than
    /// `cutoff`. With a cutoff, one pass over the old table gathers the entries that stay first, so
    /// the new table is sized for them (an eviction usually keeps only the last two windows of a
    /// much larger table); without one, the entries move straight into the larger table.
    private mutating func rehash(keepingCopiesFrom cutoff: Int64?, minimumSize: Int = 1_024) {
        guard let cutoff else { return grow(minimumSize: minimumSize) }
        var extras: [EventID: [Int64]] = [:]
        swap(&extras, &extraCopies)
        var kept: [(slot: Slot, copies: [Int64])] = []
        kept.reserveCapacity(1_024)
        for slot in slots where !slot.isEmpty {
            let key = EventID(high: slot.high, low: slot.low)
            var copies = extras.isEmpty ? [] : (extras[key] ?? [])
            var first = slot.timestamp
            copies.removeAll { $0 < cutoff }
            if first < cutoff {
                guard !copies.isEmpty else { continue }
                first = copies.removeFirst()
            }
            kept.append((Slot(high: slot.high, low: slot.low, timestamp: first), copies))
        }
        var size = minimumSize
        while size < kept.count * 3 { size *= 2 }
        slots = Array(repeating: Slot(), count: size)
        count = 0
        for (slot, copies) in kept {
            let key = EventID(high: slot.high, low: slot.low)
            slots[findSlot(key)] = slot
            count += 1
            if !copies.isEmpty { extraCopies[key] = copies }
        }
    }
}

/// `|a - b| <= window`, without overflow.
@inline(__always)
private func isWithin(_ a: Int64, _ b: Int64, _ window: Int64) -> Bool {
    let (difference, overflow) = a > b ? a.subtractingReportingOverflow(b) : b.subtractingReportingOverflow(a)
    return !overflow && difference <= window
}
