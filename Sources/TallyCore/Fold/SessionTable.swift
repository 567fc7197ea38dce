/// The live sessions: states in a contiguous array (mutated in place) and an id → position map.
///
/// ```swift
/// var table = SessionTable()
/// let position = table.insert(SessionState(id: "s1", timestamp: 0))
/// table.states[position].lastTimestamp = 5
/// ```
/// Lookup and insertion are O(1) on average; removal swaps the last state into the hole.
struct SessionTable: Sendable {
    /// Mutate elements in place; change the set of sessions only with `insert` and `remove`.
    var states: [SessionState] = []
    private var positions: [String: Int] = [:]

    var count: Int { states.count }

    @inline(__always)
    func position(of id: String) -> Int? { positions[id] }

    subscript(id: String) -> SessionState? { positions[id].map { states[$0] } }

    /// Adds a state, replacing the one with the same id; returns its position.
    @discardableResult
    mutating func insert(_ state: SessionState) -> Int {
        if let position = positions[state.id] {
            states[position] = state
            return position
        }
        positions[state.id] = states.count
        states.append(state)
        return states.count - 1
    }

    mutating func remove(_ id: String) -> SessionState? {
        guard let position = positions.removeValue(forKey: id) else { return nil }
        let last = states.count - 1
        if position != last {
            states.swapAt(position, last)
            positions[states[position].id] = position
        }
        return states.removeLast()
    }
}
