/// Materialized views of a fold: what snapshots store and queries print.
/// Field meanings are those of shared/spec/cli.md; money is integer nano-dollars,
/// times are epoch milliseconds, `nil` is an absent value.

/// One session as `tally query sessions` shows it.
///
/// The status is derived when read: a session without `session_end` is `TIMEOUT`
/// once the watermark is more than the inactivity timeout past its last activity,
/// so a stored row stays valid as the watermark moves on.
public struct SessionRow: Sendable, Hashable, Codable {
    public var sessionID: String
    /// Status of the latest `session_end` by `ts`, if any.
    public var endStatus: Event.EndStatus?
    /// `ts` of that `session_end`.
    public var endTimestamp: Int64?
    public var startedAt: Int64
    public var lastActivityAt: Int64
    public var conversationID: String?
    public var userID: String?
    public var orgID: String?
    public var projectID: String?
    public var personaID: String?
    public var messages: Int64 = 0
    public var userMessages: Int64 = 0
    public var assistantMessages: Int64 = 0
    public var llmCalls: Int64 = 0
    /// Calls with status `error` or `timeout`.
    public var llmErrors: Int64 = 0
    public var inputTokens: Int64?
    public var outputTokens: Int64?
    public var costNanos: Int64 = 0
    public var unpricedLLMCalls: Int64 = 0
    public var toolCalls: Int64 = 0
    public var toolErrors: Int64 = 0
    public var toolTimeouts: Int64 = 0
    /// 1.1: parts of `inputTokens` and `outputTokens`, `nil` when no call reported them.
    public var cachedInputTokens: Int64?
    public var cacheWriteInputTokens: Int64?
    public var reasoningTokens: Int64?
    /// 1.1: `feedback` events, those with a rating, their exact mean (3 decimals), and by sentiment.
    public var feedback: Int64 = 0
    public var ratings: Int64 = 0
    public var averageRating: Double?
    public var positiveFeedback: Int64 = 0
    public var negativeFeedback: Int64 = 0
    /// 1.1: `log` events of level `error`.
    public var logErrors: Int64 = 0
    /// 1.1: the highest `input_tokens / context_window` of its calls, 3 decimals.
    public var maxContextRatio: Double?
    /// Number of user→assistant response pairs and the sum and maximum of their times.
    public var responseCount: Int64 = 0
    public var responseTotalMs: Int64 = 0
    public var maxResponseMs: Int64?
    /// Model of the latest `llm_call` by `ts`.
    public var lastModel: String?
    /// `error_message` of the latest `session_end`.
    public var errorMessage: String?
    /// Per model used in this session, sorted by model name.
    public var models: [SessionModelUsage] = []
    /// Per tool used in this session, sorted by tool name.
    public var tools: [SessionToolUsage] = []

    public init(sessionID: String, startedAt: Int64, lastActivityAt: Int64) {
        self.sessionID = sessionID
        self.startedAt = startedAt
        self.lastActivityAt = lastActivityAt
    }

    /// The status at the given watermark.
    public func status(watermark: Int64, inactivityTimeoutMs: Int64) -> SessionStatus {
        if let endStatus { return endStatus.sessionStatus }
        return watermark - lastActivityAt > inactivityTimeoutMs ? .timeout : .active
    }

    /// The end event's `ts`, `lastActivityAt` for a derived `TIMEOUT`, `nil` while active.
    public func endedAt(watermark: Int64, inactivityTimeoutMs: Int64) -> Int64? {
        if let endTimestamp { return endTimestamp }
        return watermark - lastActivityAt > inactivityTimeoutMs ? lastActivityAt : nil
    }

    /// `endedAt - startedAt`, or `lastActivityAt - startedAt` while active.
    public func durationMs(watermark: Int64, inactivityTimeoutMs: Int64) -> Int64 {
        (endedAt(watermark: watermark, inactivityTimeoutMs: inactivityTimeoutMs) ?? lastActivityAt) - startedAt
    }

    public var averageResponseMs: Double? {
        responseCount == 0 ? nil : Double(responseTotalMs) / Double(responseCount)
    }
}

public struct SessionModelUsage: Sendable, Hashable, Codable {
    public var model: String
    public var calls: Int64
    public var inputTokens: Int64?
    public var outputTokens: Int64?
    public var costNanos: Int64
    public var cachedInputTokens: Int64?
    public var cacheWriteInputTokens: Int64?
    public var reasoningTokens: Int64?
    public init(
        model: String, calls: Int64, inputTokens: Int64?, outputTokens: Int64?, costNanos: Int64,
        cachedInputTokens: Int64? = nil, cacheWriteInputTokens: Int64? = nil, reasoningTokens: Int64? = nil
    ) {
        self.model = model
        self.calls = calls
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.costNanos = costNanos
        self.cachedInputTokens = cachedInputTokens
        self.cacheWriteInputTokens = cacheWriteInputTokens
        self.reasoningTokens = reasoningTokens
    }
}

public struct SessionToolUsage: Sendable, Hashable, Codable {
    public var toolName: String
    public var calls: Int64
    public var errors: Int64
    public var timeouts: Int64
    public init(toolName: String, calls: Int64, errors: Int64, timeouts: Int64) {
        self.toolName = toolName
        self.calls = calls
        self.errors = errors
        self.timeouts = timeouts
    }
}

/// `tally query summary`, less `snapshot_at` (the snapshot's wall-clock time).
public struct SummaryView: Sendable, Hashable, Codable {
    public var events: Int64 = 0
    public var duplicates: Int64 = 0
    /// Contract reason name → count.
    public var invalid: [String: Int64] = [:]
    /// `total`, `ACTIVE`, `COMPLETED`, `FAILED`, `CANCELLED`, `TIMEOUT` → count.
    public var sessions: [String: Int64] = [:]
    public var messages: Int64 = 0
    public var llmCalls: Int64 = 0
    public var toolCalls: Int64 = 0
    public var inputTokens: Int64?
    public var outputTokens: Int64?
    public var costNanos: Int64 = 0
    public var unpricedLLMCalls: Int64 = 0
    /// 1.1: the token breakdown, feedback (`avg_rating` exact, 3 decimals) and dead letters by field.
    public var cachedInputTokens: Int64?
    public var cacheWriteInputTokens: Int64?
    public var reasoningTokens: Int64?
    public var feedback: Int64 = 0
    public var ratings: Int64 = 0
    public var averageRating: Double?
    /// `positive`, `neutral`, `negative` → count.
    public var sentiment: [String: Int64] = ["positive": 0, "neutral": 0, "negative": 0]
    /// Field → dead-lettered lines whose reason was about that field.
    public var invalidFields: [String: Int64] = [:]
    public var watermark: Int64?
    /// The totals that passed `Int64.max - 1`, by query field name (`input_tokens`, `output_tokens`,
    /// `total_tokens`: their sum, `cost_usd`), in that order. Such a total is held at `Int64.max`,
    /// never wrapped, and its figures in every view are not to be shown; while this is empty, every
    /// token and cost figure of every view is exact (see ``FoldState``).
    public var overflowedTotals: [String] = []
    public init() {}
}

/// One row of `tally query tools`.
public struct ToolView: Sendable, Hashable, Codable {
    public var toolName: String
    public var calls: Int64 = 0
    public var success: Int64 = 0
    public var error: Int64 = 0
    public var timeout: Int64 = 0
    /// success / calls, `nil` without calls.
    public var successRate: Double?
    /// Over calls that carry `execution_time_ms`.
    public var avgMs: Double?
    public var p50Ms: Int64?
    public var p95Ms: Int64?
    public var p99Ms: Int64?
    public var maxMs: Int64?
    public init(toolName: String) { self.toolName = toolName }
}

/// One row of `tally query models`.
public struct ModelView: Sendable, Hashable, Codable {
    public var model: String
    public var calls: Int64 = 0
    /// Status `error` or `timeout`.
    public var errors: Int64 = 0
    public var inputTokens: Int64?
    public var outputTokens: Int64?
    public var costNanos: Int64 = 0
    public var unpricedCalls: Int64 = 0
    public var cachedInputTokens: Int64?
    public var cacheWriteInputTokens: Int64?
    public var reasoningTokens: Int64?
    public var avgLatencyMs: Double?
    public var p50LatencyMs: Int64?
    public var p95LatencyMs: Int64?
    public var p99LatencyMs: Int64?
    public var avgTTFTMs: Double?
    public init(model: String) { self.model = model }
}

/// One row of `tally query users` (and `--by org`, `--by project`, `--by persona`).
public struct RollupView: Sendable, Hashable, Codable {
    public var key: String
    public var sessions: Int64 = 0
    public var llmCalls: Int64 = 0
    public var inputTokens: Int64?
    public var outputTokens: Int64?
    public var costNanos: Int64 = 0
    public var toolErrors: Int64 = 0
    /// 1.1: its sessions by status.
    public var active: Int64 = 0
    public var completed: Int64 = 0
    public var failed: Int64 = 0
    public var cancelled: Int64 = 0
    public var timeout: Int64 = 0
    /// COMPLETED / sessions, 3 decimals.
    public var successRate: Double?
    /// Over all response pairs of its sessions.
    public var responseCount: Int64 = 0
    public var responseTotalMs: Int64 = 0
    public var feedback: Int64 = 0
    public var averageRating: Double?
    public var negativeFeedback: Int64 = 0
    public var averageResponseMs: Double? {
        responseCount == 0 ? nil : Double(responseTotalMs) / Double(responseCount)
    }

    /// COMPLETED / sessions rounded half-even to 3 decimals; `nil` without sessions.
    public static func successRate(completed: Int64, sessions: Int64) -> Double? {
        threeDecimals(Int128(completed), over: Int128(sessions))
    }
    public init(key: String) { self.key = key }
}

/// One bucket of `tally query timeline`; the fold keeps 1-minute buckets, coarser ones are sums.
public struct TimelineBucket: Sendable, Hashable, Codable {
    public var bucketStart: Int64
    public var sessionsStarted: Int64 = 0
    public var sessionsEnded: Int64 = 0
    public var messages: Int64 = 0
    public var llmCalls: Int64 = 0
    public var inputTokens: Int64?
    public var outputTokens: Int64?
    public var costNanos: Int64 = 0
    public var toolCalls: Int64 = 0
    public var toolErrors: Int64 = 0
    public var llmErrors: Int64 = 0
    /// 1.1: `feedback` events of the bucket (by their own `ts`), and the negative ones.
    public var feedback: Int64 = 0
    public var negativeFeedback: Int64 = 0
    public init(bucketStart: Int64) { self.bucketStart = bucketStart }
}

/// One row of `tally query alerts`.
public struct AlertView: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case slowResponse = "slow_response"
        case slowTool = "slow_tool"
        case contextWindow = "context_window"
        case longSession = "long_session"
        case accessBurst = "access_burst"
    }
    public var kind: Kind
    public var sessionID: String?
    public var userID: String?
    public var timestamp: Int64
    /// The measured value: milliseconds, a ratio (context window), or a count (access burst).
    public var value: Double
    public var threshold: Double
    public var detail: String
    public init(kind: Kind, sessionID: String?, userID: String?, timestamp: Int64, value: Double, threshold: Double, detail: String) {
        self.kind = kind
        self.sessionID = sessionID
        self.userID = userID
        self.timestamp = timestamp
        self.value = value
        self.threshold = threshold
        self.detail = detail
    }

    /// Hashes the fields that tell alerts apart in practice (`==` still compares every field):
    /// the fold keeps alerts in hash maps, and `detail` is the longest text to hash.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(timestamp)
        hasher.combine(kind)
        hasher.combine(sessionID)
    }
}
