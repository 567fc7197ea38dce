extension SnapshotWriter {
    /// The generation the next ``write(_:metadata:)`` commits; files that belong to that
    /// snapshot (dead-letter batches) are named by it before it is written.
    public var nextGeneration: Int64 { committedGeneration + 1 }
}
