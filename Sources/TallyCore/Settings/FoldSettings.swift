/// The pipeline settings that shape the fold (the `sessions`, `alerts`, `limits`
/// and `pricing` sections of a pipeline file). Pure values; loading YAML lives in TallyPipeline.
public struct FoldSettings: Sendable, Hashable, Codable {
    /// Milliseconds of event time without activity after which a session without
    /// `session_end` is `TIMEOUT`. Default 24 h.
    public var inactivityTimeoutMs: Int64 = 24 * 3_600_000
    /// A session longer than this raises a `long_session` alert. Default 24 h.
    public var maxSessionDurationMs: Int64 = 24 * 3_600_000
    /// `event_id` copies whose `ts` lie within this window are folded once. Default 1 h.
    /// Also the window within which ``watermarkQuorum`` events must vouch for the watermark.
    public var dedupWindowMs: Int64 = 3_600_000
    /// How many folded events must vouch for the watermark (`sessions.watermark_quorum`, 1…1024):
    /// it is the latest `ts` with this many events within `dedupWindowMs` before it (its own
    /// included), or the (2 × quorum)-th largest `ts` if that is later, so fewer than this many
    /// far-future events never move it (see <doc:DedupWatermarkRetention>). 1 makes it the largest
    /// `ts` folded. Default 16.
    public var watermarkQuorum: Int = 16
    /// Default 30 s.
    public var slowResponseMs: Int64 = 30_000
    /// Default 30 s.
    public var slowToolMs: Int64 = 30_000
    /// More than this many denied or rate-limited access events for one user in one hour bucket. Default 5.
    public var accessBurst: Int64 = 5
    /// Lines longer than this are `too_long`. Default 1 MiB.
    public var maxLineBytes: Int = 1 << 20
    /// Ended sessions whose last activity is older than this (behind the watermark) are dropped from snapshots. Default 30 d.
    public var sessionRetentionMs: Int64 = 30 * 86_400_000
    /// Model name → its prices, sorted by `from`: one entry without `from` (in force at all times)
    /// or (1.1) entries each in force from its `from` until the next one's.
    public var pricing: [String: [ModelPrice]] = [:]
    /// Error groups kept (`limits.error_groups`, events.md); the rest count in `(other)`. Default 10,000.
    public var errorGroupLimit: Int = 10_000

    public init() {}

    /// The price of `model` in force at `timestamp`: the last entry whose `from` is at or before it
    /// (an entry without `from` is in force at all times); `nil` before the first entry.
    @inline(__always)
    public func price(of model: String, at timestamp: Int64) -> ModelPrice? {
        Self.price(of: model, at: timestamp, in: pricing)
    }

    @inline(__always)
    static func price(of model: String, at timestamp: Int64, in pricing: [String: [ModelPrice]]) -> ModelPrice? {
        guard let entries = pricing[model] else { return nil }
        var found: ModelPrice?
        for entry in entries {
            if let from = entry.from, from > timestamp { break }
            found = entry
        }
        return found
    }
}

/// Prices of one model in USD per million tokens, held exactly as pico-dollars per token
/// (1 USD per million tokens = 1,000,000 pico-dollars per token), so prices with up to six
/// decimals are exact.
public struct ModelPrice: Sendable, Hashable, Codable {
    public var inputPicosPerToken: Int64
    public var outputPicosPerToken: Int64
    /// Absent: cached input tokens are charged at the input price.
    public var cachedInputPicosPerToken: Int64?
    /// Absent: cache writes are charged at the input price (1.1).
    public var cacheWritePicosPerToken: Int64?
    /// Epoch milliseconds from which this entry is in force (1.1); `nil`: at all times.
    public var from: Int64?

    public init(
        inputPicosPerToken: Int64, outputPicosPerToken: Int64, cachedInputPicosPerToken: Int64? = nil,
        cacheWritePicosPerToken: Int64? = nil, from: Int64? = nil
    ) {
        self.inputPicosPerToken = inputPicosPerToken
        self.outputPicosPerToken = outputPicosPerToken
        self.cachedInputPicosPerToken = cachedInputPicosPerToken
        self.cacheWritePicosPerToken = cacheWritePicosPerToken
        self.from = from
    }
}
