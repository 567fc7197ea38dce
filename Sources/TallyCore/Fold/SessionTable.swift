/// The live sessions: states in a contiguous array (mutated in place) and an id → position map.
///
/// ```swift
/// var table = SessionTable()
/// let position = table.insert(SessionState(id: "s1", timestamp: 0))
/// table.states[position].lastTimestamp = 5
/// ```
/// Lookup and insertion are O(1) on average; removal swaps the last state into the hole.
/// `recentPosition(of:)` answers a repeated lookup of the same id without hashing it.
struct SessionTable: Sendable {
    /// Mutate elements in place; change the set of sessions only with `insert` and `remove`.
    var states: [SessionState] = []
    private var positions: [String: Int] = [:]
    /// The id of the last `recentPosition(of:)` or `insert` and its position.
    private var recent: (id: String, position: Int)?

    var count: Int { states.count }

    @inline(__always)
    func position(of id: String) -> Int? { positions[id] }

    /// `position(of:)`, remembering the answer: the events of a session often come in runs, and
    /// comparing with the last id (often the same shared string) is cheaper than hashing it.
    @inline(__always)
    mutating func recentPosition(of id: String) -> Int? {
        if let recent, recent.id == id { return recent.position }
        guard let position = positions[id] else { return nil }
        recent = (id, position)
        return position
    }

    subscript(id: String) -> SessionState? { positions[id].map { states[$0] } }

    /// Adds a state, replacing the one with the same id; returns its position.
    @discardableResult
    mutating func insert(_ state: SessionState) -> Int {
        if let position = positions[state.id] {
            states[position] = state
            return position
        }
        positions[state.id] = states.count
        recent = (state.id, states.count)
        states.append(state)
        return states.count - 1
    }

    /// Gives back the storage of removed states once the table holds less than half of what it
    /// has room for (after many removals at once): room for half again as many is kept.
    mutating func shrinkToFit() {
        guard states.count < states.capacity / 2 else { return }
        var kept: [SessionState] = []
        kept.reserveCapacity(states.count + states.count / 2)
        kept.append(contentsOf: states)
        states = kept
        var index: [String: Int] = [:]
        index.reserveCapacity(positions.count + positions.count / 2)
        for (id, position) in positions { index[id] = position }
        positions = index
        recent = nil
    }

    mutating func remove(_ id: String) -> SessionState? {
        guard let position = positions.removeValue(forKey: id) else { return nil }
        recent = nil
        let last = states.count - 1
        if position != last {
            states.swapAt(position, last)
            positions[states[position].id] = position
        }
        return states.removeLast()
    }
}
