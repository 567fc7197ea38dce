/// What a replay reads: the input files found in the paths given, the units they are cut into,
/// and their sizes.
///
/// ```swift
/// let plan = try ReplayPlan(paths: ["old-spool/", "extra.ndjson"], unitBytes: 1 << 20)
/// // plan.units[slot] reads plan.inputs[plan.units[slot].input]; plan.unitOrder[slot] is its place in file order
/// ```
struct ReplayPlan: Sendable {
    /// The paths as given.
    let paths: [String]
    let inputs: [ReplayInput]
    /// Files inside the given directories that are neither segments, `.zst` nor `.ndjson`.
    let skipped: [String]
    /// Files inside the given directories that are not regular files ("PATH: a FIFO, not a regular file").
    let notRegular: [String]
    /// The units in the order decode threads take them: whole files largest first, then pieces
    /// (`ReplayUnit.plan`).
    let units: [ReplayUnit]
    /// Each unit's place in file order (by input, then start), to put dead letters in order.
    let unitOrder: [Int]
    /// The bytes of all inputs (compressed bytes for zstd input).
    let bytesTotal: Int64

    /// Finds the inputs in `paths` (see `ReplayInput.expand`) and cuts them into units of about
    /// `unitBytes` of compressed input.
    init(paths: [String], unitBytes: Int64) throws {
        self.paths = paths
        let found = try ReplayInput.expand(paths)
        inputs = found.inputs
        skipped = found.skipped
        notRegular = found.notRegular
        units = ReplayUnit.plan(inputs, targetBytes: unitBytes)
        unitOrder = Self.fileOrder(of: units)
        bytesTotal = inputs.reduce(0) { $0 + $1.size }
    }

    /// The decode threads for `workers`: no more than there are units, at least one.
    func threadCount(workers: Int) -> Int {
        max(1, min(workers, units.count))
    }

    /// About how many events the inputs hold: zstd input about 96 bytes an event, NDJSON about 384
    /// (the generated corpus has 83 and 360). Only sizes the dedup tables.
    var expectedEvents: Int {
        inputs.reduce(0) { total, input in
            total + Int(input.size) / (input.kind == .zstd ? 96 : 384)
        }
    }

    /// The place of each unit in file order.
    private static func fileOrder(of units: [ReplayUnit]) -> [Int] {
        let byFile = units.indices.sorted { (units[$0].input, units[$0].start) < (units[$1].input, units[$1].start) }
        var order = Array(repeating: 0, count: units.count)
        for (rank, index) in byFile.enumerated() { order[index] = rank }
        return order
    }
}
