/// Gives a replay's progress to its callback about ten times a second, not once per batch.
///
/// ```swift
/// var ticker = ProgressTicker(progress, start: clock.now, bytesTotal: plan.bytesTotal)
/// ticker.tick(bytesRead: 1 << 20, events: 12_000)   // calls `progress` if 100 ms passed since the last call
/// ```
struct ProgressTicker {
    private let report: ((Replay.Progress) -> Void)?
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private let bytesTotal: Int64
    private var last: ContinuousClock.Instant

    /// `start`: when the replay started, for `Progress.elapsed`.
    init(_ report: ((Replay.Progress) -> Void)?, start: ContinuousClock.Instant, bytesTotal: Int64) {
        self.report = report
        self.start = start
        self.bytesTotal = bytesTotal
        last = clock.now
    }

    /// Counts the next report from now (at the start of a pass).
    mutating func restart() {
        last = clock.now
    }

    mutating func tick(bytesRead: Int64, events: Int64) {
        if let report, clock.now - last > .milliseconds(100) {
            last = clock.now
            report(Replay.Progress(bytesRead: bytesRead, bytesTotal: bytesTotal, events: events, elapsed: clock.now - start))
        }
    }
}
