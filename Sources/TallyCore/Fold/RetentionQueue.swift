internal import HeapModule

/// A min-heap (`Heap`) of (due watermark, session id): when each session may pass retention.
///
/// ```swift
/// var queue = RetentionQueue()
/// queue.push(dueAt: 100, sessionID: "s1")
/// while let entry = queue.popDue(before: watermark) { … }
/// ```
/// Entries may be stale (the session changed or left since); the sweep re-checks each popped one.
/// Entries due at the same watermark pop in session id order, whatever the order they came in.
struct RetentionQueue: Sendable {
    private struct Entry: Comparable, Sendable {
        var dueAt: Int64
        var sessionID: String

        static func < (left: Entry, right: Entry) -> Bool {
            left.dueAt != right.dueAt ? left.dueAt < right.dueAt : left.sessionID < right.sessionID
        }
    }

    private var entries = Heap<Entry>()

    var count: Int { entries.count }

    mutating func push(dueAt: Int64, sessionID: String) {
        entries.insert(Entry(dueAt: dueAt, sessionID: sessionID))
    }

    /// Removes and returns the entry with the smallest due watermark if it is below `watermark`.
    mutating func popDue(before watermark: Int64) -> String? {
        guard let first = entries.min, first.dueAt < watermark else { return nil }
        return entries.removeMin().sessionID
    }

    mutating func removeAll() { entries = Heap() }

    /// Adds every entry of `other`.
    mutating func merge(_ other: RetentionQueue) {
        entries.insert(contentsOf: other.entries.unordered)
    }
}

extension SessionState {
    /// The watermark above which this session (as it is now) is past retention.
    func retentionDue(settings: FoldSettings) -> Int64 {
        let delay = end == nil ? max(settings.sessionRetentionMs, settings.inactivityTimeoutMs) : settings.sessionRetentionMs
        let (due, overflow) = lastTimestamp.addingReportingOverflow(delay)
        return overflow ? .max : due
    }
}
