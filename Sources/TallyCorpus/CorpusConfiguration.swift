/// What a corpus looks like: its seed, size, start time and the share of faulty lines.
///
/// ```swift
/// var configuration = CorpusConfiguration(seed: 42, events: 20_000)
/// configuration.invalidFraction = 0.01
/// var generator = CorpusGenerator(configuration)
/// ```
package struct CorpusConfiguration: Sendable, Hashable {
    /// The same seed (with the same other settings) gives the same bytes, on every platform.
    package var seed: UInt64
    /// Number of lines to produce, faulty lines and duplicate copies included.
    package var events: Int
    /// Event time of the first session, epoch milliseconds (default 2025-10-23T00:00:00Z).
    package var startTime: Int64
    /// Sessions in flight at once. Event time advances about `60 s / concurrency` per line
    /// (48: 20 000 lines span about 7 hours, 1.8 M lines about 27 days), so fewer concurrent
    /// sessions stretch the same lines over more days.
    package var concurrency: Int
    /// Share of lines (0…1) replaced by invalid lines, spread evenly over the reasons.
    package var invalidFraction: Double
    /// Share of events with an `event_id` that a producer resends 1–15 s later, byte for byte.
    package var duplicateFraction: Double
    /// Share of events delivered 1–20 s after later events (a buffering producer), so the
    /// stream is in time order only roughly.
    package var lateFraction: Double
    /// Whether invalid lines include `too_long` ones (each `tooLongBytes` long).
    package var includeTooLong: Bool
    /// Length of a `too_long` line; default 1 MiB + 1 KiB, just past the default `max_line_bytes`.
    package var tooLongBytes: Int
    /// Whether every session is one turn without access checks, tools, logs or feedback:
    /// `session_start`, a user message, an `llm_call` (retried now and then), the answer and
    /// `session_end` — many small sessions, for measuring what a fold's cost per session is.
    package var shortSessions: Bool

    package init(
        seed: UInt64 = 1,
        events: Int = 10_000,
        startTime: Int64 = 1_761_177_600_000,
        concurrency: Int = 48,
        invalidFraction: Double = 0,
        duplicateFraction: Double = 0.003,
        lateFraction: Double = 0.01,
        includeTooLong: Bool = false,
        tooLongBytes: Int = (1 << 20) + 1024,
        shortSessions: Bool = false
    ) {
        self.seed = seed
        self.events = events
        self.startTime = startTime
        self.concurrency = concurrency
        self.invalidFraction = invalidFraction
        self.duplicateFraction = duplicateFraction
        self.lateFraction = lateFraction
        self.includeTooLong = includeTooLong
        self.tooLongBytes = tooLongBytes
        self.shortSessions = shortSessions
    }
}

/// Counts of what a generator has produced so far, to check a fold against.
package struct CorpusStatistics: Sendable, Hashable {
    /// Lines produced (valid, invalid and duplicate copies).
    package var lines = 0
    /// Bytes produced, newlines included.
    package var bytes = 0
    /// Valid lines by `type` (duplicate copies included).
    package var eventsByType: [String: Int] = [:]
    /// `session_end` lines by `status` (duplicate copies included).
    package var sessionEndsByStatus: [String: Int] = [:]
    /// Invalid lines by the contract's reason name (`not_json`, `bad_ts`, …).
    package var invalidByReason: [String: Int] = [:]
    /// Copies of an earlier line resent with the same `event_id`.
    package var duplicates = 0
    /// Lines delivered after later events.
    package var lateLines = 0
    /// Valid lines whose `ts` is an RFC 3339 string with a non-`Z` offset.
    package var offsetTimestamps = 0
    /// Valid lines whose `ts` is an integer of epoch milliseconds.
    package var epochMillisTimestamps = 0

    /// Valid lines, duplicate copies included.
    package var validLines: Int { eventsByType.values.reduce(0, +) }
    /// Invalid lines.
    package var invalidLines: Int { invalidByReason.values.reduce(0, +) }
}
