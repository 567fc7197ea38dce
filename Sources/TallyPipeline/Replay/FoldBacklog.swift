import TallyCore

/// One decode thread's batches not yet folded into every shard they reach. A batch goes to the
/// shards that are free; one held by another thread is left for later, and the thread decodes on
/// instead of waiting: it waits only when more than `limit` batches are behind.
struct FoldBacklog {
    private struct Entry {
        var events: [Event]
        var parts: [UInt8]
        var marks: [FrameMark]
        var pending: [Bool]
    }

    private let shards: FoldShards
    private let firstTry: Int
    private var entries: [Entry] = []
    private static let limit = 4

    init(shards: FoldShards, firstTry: Int) {
        self.shards = shards
        self.firstTry = firstTry
    }

    /// Folds `events` (with their shards in `parts`, one each; ignored for one shard) as far as
    /// shards are free, and whatever is behind from earlier batches.
    mutating func fold(_ events: [Event], parts: [UInt8], marks: [FrameMark] = []) {
        guard !events.isEmpty else { return }
        var pending = Array(repeating: shards.count == 1, count: shards.count)
        if shards.count > 1 { for part in parts { pending[Int(part)] = true } }
        entries.append(Entry(events: events, parts: parts, marks: marks, pending: pending))
        var kept = 0
        for index in entries.indices where !foldPending(&entries[index], waiting: false) {
            entries.swapAt(kept, index)
            kept += 1
        }
        entries.removeLast(entries.count - kept)
        while entries.count > Self.limit {
            _ = foldPending(&entries[0], waiting: true)
            entries.removeFirst()
        }
    }

    /// Folds everything still behind, waiting for busy shards.
    mutating func finish() {
        for index in entries.indices { _ = foldPending(&entries[index], waiting: true) }
        entries.removeAll()
    }

    private func foldPending(_ entry: inout Entry, waiting: Bool) -> Bool {
        entry.events.withUnsafeBufferPointer { events in
            entry.parts.withUnsafeBufferPointer { parts in
                shards.fold(events, parts: parts, marks: entry.marks, pending: &entry.pending, firstTry: firstTry, waiting: waiting)
            }
        }
    }
}
