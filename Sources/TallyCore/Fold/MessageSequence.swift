/// A session's messages as a sorted array of `ts << 2 | role`, 8 bytes a message.
///
/// Sorting the packed values orders by `ts`, then by role: `user` < `assistant` < `system` < `tool`,
/// so on equal `ts` a user message comes right before an assistant message and pairs with it.
/// Appending in `ts` order is O(1); a late message is inserted with a binary search (O(n) move).
/// Timestamps must lie within ±2^61 ms (±73 million years).
///
/// ```swift
/// var sequence = MessageSequence()
/// sequence.insert(timestamp: 1_000, role: .user)
/// sequence.insert(timestamp: 1_800, role: .assistant)
/// sequence.forEachResponse { assistantTimestamp, ms in print(ms) }  // 800
/// ```
struct MessageSequence: Sendable, Hashable {
    private(set) var packed: [Int64] = []

    @inline(__always)
    static func pack(timestamp: Int64, role: Event.Role) -> Int64 {
        (timestamp &<< 2) | Int64(role.rawValue)
    }

    var count: Int { packed.count }

    @inline(__always)
    mutating func insert(timestamp: Int64, role: Event.Role) {
        let value = Self.pack(timestamp: timestamp, role: role)
        if let last = packed.last, last > value {
            packed.insert(value, at: firstIndex(notBelow: value))
        } else {
            packed.append(value)
        }
    }

    mutating func merge(_ other: MessageSequence) {
        guard !other.packed.isEmpty else { return }
        guard !packed.isEmpty else {
            packed = other.packed
            return
        }
        if packed.last! <= other.packed.first! {
            packed.append(contentsOf: other.packed)
            return
        }
        var merged: [Int64] = []
        merged.reserveCapacity(packed.count + other.packed.count)
        var mine = 0
        var theirs = 0
        while mine < packed.count, theirs < other.packed.count {
            if packed[mine] <= other.packed[theirs] {
                merged.append(packed[mine])
                mine += 1
            } else {
                merged.append(other.packed[theirs])
                theirs += 1
            }
        }
        merged.append(contentsOf: packed[mine...])
        merged.append(contentsOf: other.packed[theirs...])
        packed = merged
    }

    /// Calls `body(assistantTimestamp, responseMs)` for each user message immediately followed by an assistant message.
    func forEachResponse(_ body: (Int64, Int64) -> Void) {
        let user = Int64(Event.Role.user.rawValue)
        let assistant = Int64(Event.Role.assistant.rawValue)
        var index = 1
        while index < packed.count {
            let previous = packed[index - 1]
            let current = packed[index]
            if previous & 3 == user, current & 3 == assistant {
                body(current >> 2, (current >> 2) &- (previous >> 2))
            }
            index += 1
        }
    }

    private func firstIndex(notBelow value: Int64) -> Int {
        var low = 0
        var high = packed.count
        while low < high {
            let middle = (low + high) / 2
            if packed[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low
    }

    func encode(into writer: inout PackedWriter) {
        writer.count(packed.count)
        var previous: Int64 = 0
        for value in packed {
            writer.signed(value &- previous)
            previous = value
        }
    }

    static func decode(from reader: inout PackedReader) throws(FoldDecodingError) -> MessageSequence {
        let count = try reader.count()
        var sequence = MessageSequence()
        sequence.packed.reserveCapacity(count)
        var previous: Int64 = 0
        for _ in 0..<count {
            previous &+= try reader.signed()
            if let last = sequence.packed.last, last > previous { throw reader.failure("message sequence out of order") }
            sequence.packed.append(previous)
        }
        return sequence
    }
}
