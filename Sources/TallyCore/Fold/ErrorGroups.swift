internal import HeapModule

/// The error groups of a fold, bounded (events.md): at most `limit` groups, those whose key ranks
/// smallest (``ErrorGroupRank``: a stable hash of the normalized text, ties by the key); what any
/// other key adds is counted in one `(other)` group per kind.
///
/// ```swift
/// var groups = ErrorGroups(limit: 2)
/// groups.add(key, ErrorGroupTotals(timestamp: ts, sessionID: "s1"))
/// groups.views()   // largest first, `(other)` rows included
/// ```
/// Order-independent and mergeable: the kept keys are always the `limit` smallest of all keys added,
/// since a key pushed out (or never let in) ranks above `limit` others and stays out.
struct ErrorGroups: Sendable {
    var limit: Int
    private(set) var kept: [ErrorGroupKey: ErrorGroupTotals] = [:]
    /// The ranks of the kept keys, to find the largest.
    private var ranks = Heap<ErrorGroupRank>()
    /// By kind.
    private(set) var other: [ErrorGroupView.Kind: ErrorGroupTotals] = [:]

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    var isEmpty: Bool { kept.isEmpty && other.isEmpty }

    mutating func add(_ key: ErrorGroupKey, _ totals: ErrorGroupTotals) {
        if let index = kept.index(forKey: key) {  // one hash of the key, not two
            kept.values[index].merge(totals)
            return
        }
        let rank = ErrorGroupRank(key)
        if kept.count < limit {
            kept[key] = totals
            ranks.insert(rank)
            return
        }
        guard let largest = ranks.max, rank < largest else {
            addToOther(key.kind, totals)
            return
        }
        ranks.removeMax()
        if let evicted = kept.removeValue(forKey: largest.key) { addToOther(largest.key.kind, evicted) }
        kept[key] = totals
        ranks.insert(rank)
    }

    mutating func addToOther(_ kind: ErrorGroupView.Kind, _ totals: ErrorGroupTotals) {
        if other[kind] == nil { other[kind] = totals } else { other[kind]!.merge(totals) }
    }

    mutating func merge(_ groups: ErrorGroups) {
        for (key, totals) in groups.kept { add(key, totals) }
        for (kind, totals) in groups.other { addToOther(kind, totals) }
    }

    /// Every group as a row, largest first (see ``ErrorGroupView/sortsBefore(_:_:)``).
    func views() -> [ErrorGroupView] {
        var views = kept.map { $0.key.view($0.value) }
        for (kind, totals) in other {
            views.append(ErrorGroupView(
                kind: kind, name: nil, status: nil, message: ErrorGroupView.otherMessage, count: totals.count,
                firstTimestamp: totals.firstTimestamp, lastTimestamp: totals.lastTimestamp, sessionID: totals.sessionID))
        }
        views.sort(by: ErrorGroupView.sortsBefore)
        return views
    }

    func encode(into writer: inout PackedWriter) {
        let keys = kept.keys.map(ErrorGroupRank.init).sorted()
        writer.count(keys.count)
        for rank in keys {
            rank.key.encode(into: &writer)
            kept[rank.key]!.encode(into: &writer)
        }
        let kinds = ErrorGroupView.Kind.allCases.filter { other[$0] != nil }
        writer.count(kinds.count)
        for kind in kinds {
            writer.string(kind.rawValue)
            other[kind]!.encode(into: &writer)
        }
    }

    static func decode(from reader: inout PackedReader, limit: Int) throws(FoldDecodingError) -> ErrorGroups {
        var groups = ErrorGroups(limit: limit)
        for _ in 0..<(try reader.count()) {
            let key = try ErrorGroupKey.decode(from: &reader)
            groups.add(key, try ErrorGroupTotals.decode(from: &reader))
        }
        for _ in 0..<(try reader.count()) {
            let kindName = try reader.string()
            guard let kind = ErrorGroupView.Kind(rawValue: kindName) else { throw reader.failure("unknown error kind \(kindName)") }
            groups.addToOther(kind, try ErrorGroupTotals.decode(from: &reader))
        }
        return groups
    }
}
