import TallyCore

/// What a decode thread hands to the collecting thread once it has folded the events: a frame's
/// (or chunk's) worth of counts, dead letters and damage.
struct DecodedBatch: @unchecked Sendable {
    var events: [Event] = []
    /// The fold shard of each event (see `FoldShards`).
    var shards: [UInt8] = []
    /// Where each frame's (or block's) events begin in `events`, for the frame index.
    var marks: [FrameMark] = []
    /// Reason and field of each invalid line.
    var invalid: [InvalidLine] = []
    var deadLetters: [UInt8] = []
    var damage: [DamageNote] = []
    /// Input bytes this batch covers (compressed bytes for zstd input), for progress.
    var bytes: Int64 = 0
    var lines: Int64 = 0
    /// Valid events of this batch, already folded by the decode thread (`events` is then emptied).
    var folded: Int64 = 0
    /// Set on the last batch of an input: where reading ended.
    var end: (input: Int, offset: Int64)?
    var failure: (any Error)?
    var finished = false
    /// The unit's place in file order and the batch's place in its unit, to put dead letters in order.
    var unit = 0
    var sequence = 0

    /// Empties the batch for the next frames, keeping the event buffers' capacity: once the
    /// emitted copy has dropped them, they are reused in place instead of allocated again.
    mutating func startNext() {
        events.removeAll(keepingCapacity: true)
        shards.removeAll(keepingCapacity: true)
        self = DecodedBatch(events: events, shards: shards)
    }
}
