/// The dead letters of one batch, with the batch's place in file order, so that the chunks of all
/// threads can be written in file order (by `unit`, then `sequence`) whatever thread decoded them.
struct DeadLetterChunk: Sendable {
    /// The unit's place in file order (`ReplayPlan.unitOrder`).
    var unit: Int
    /// The batch's place in its unit.
    var sequence: Int
    /// Dead-letter NDJSON records (`DeadLetterRecord`).
    var records: [UInt8]
}
