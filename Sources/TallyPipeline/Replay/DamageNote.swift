/// One damage note of a unit: a damaged region or torn tail (`region`), or another remark.
struct DamageNote: Sendable {
    var input: Int
    var offset: Int64
    /// `false` for a remark that is not damage (a segment still being written).
    var isDamage = true
    /// The skipped bytes, for damaged frames and torn tails; a region read by one unit can run
    /// into the next unit, which then reports a region inside it (dropped by `DamageNote.merged`).
    var length: Int64?
    var text: String

    /// The notes as one sequential read of each file would give them, in input and offset order:
    /// a region that lies inside an earlier-starting region of the same file is dropped.
    static func merged(_ notes: [DamageNote]) -> [DamageNote] {
        let sorted = notes.sorted { ($0.input, $0.offset) < ($1.input, $1.offset) }
        var result: [DamageNote] = []
        var coveredInput = -1
        var coveredEnd: Int64 = 0
        for note in sorted {
            guard let length = note.length else {
                result.append(note)
                continue
            }
            if note.input == coveredInput && note.offset + length <= coveredEnd { continue }
            result.append(note)
            coveredInput = note.input
            coveredEnd = note.offset + length
        }
        return result
    }
}
