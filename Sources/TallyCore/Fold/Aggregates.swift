/// Sums kept per 1-minute bucket of event time.
struct TimelineTotals: Sendable, Hashable {
    /// Only retired sessions; live sessions are counted when the timeline is materialized.
    var sessionsStarted: Int64 = 0
    /// Only retired sessions, as above.
    var sessionsEnded: Int64 = 0
    var messages: Int64 = 0
    var llmCalls: Int64 = 0
    var inputTokens = TokenSum()
    var outputTokens = TokenSum()
    var costNanos: Int64 = 0
    var toolCalls: Int64 = 0
    var toolErrors: Int64 = 0
    var llmErrors: Int64 = 0
    var feedback = FeedbackTotals()

    var isEmpty: Bool { self == TimelineTotals() }

    /// The bucket of the minute `minute` (minutes since the epoch) as the timeline view shows it.
    func bucket(minute: Int64) -> TimelineBucket {
        var bucket = TimelineBucket(bucketStart: minute * millisecondsPerMinute)
        bucket.sessionsStarted = sessionsStarted
        bucket.sessionsEnded = sessionsEnded
        bucket.messages = messages
        bucket.llmCalls = llmCalls
        bucket.inputTokens = inputTokens.value
        bucket.outputTokens = outputTokens.value
        bucket.costNanos = costNanos
        bucket.toolCalls = toolCalls
        bucket.toolErrors = toolErrors
        bucket.llmErrors = llmErrors
        bucket.feedback = feedback.feedback
        bucket.negativeFeedback = feedback.negative
        return bucket
    }

    mutating func merge(_ other: TimelineTotals) {
        sessionsStarted &+= other.sessionsStarted
        sessionsEnded &+= other.sessionsEnded
        messages &+= other.messages
        llmCalls &+= other.llmCalls
        inputTokens.merge(other.inputTokens)
        outputTokens.merge(other.outputTokens)
        costNanos.addSaturating(other.costNanos)
        toolCalls &+= other.toolCalls
        toolErrors &+= other.toolErrors
        llmErrors &+= other.llmErrors
        feedback.merge(other.feedback)
    }

    /// Format 3 of the globals adds `feedback`. The counters are written field by field, not
    /// through a key-path list: the key-path runtime costs hundreds of instructions a field, and
    /// every snapshot encodes every bucket.
    func encode(into writer: inout PackedWriter, format: UInt8) {
        writer.signed(sessionsStarted)
        writer.signed(sessionsEnded)
        writer.signed(messages)
        writer.signed(llmCalls)
        writer.signed(costNanos)
        writer.signed(toolCalls)
        writer.signed(toolErrors)
        writer.signed(llmErrors)
        inputTokens.encode(into: &writer)
        outputTokens.encode(into: &writer)
        if format >= 3 { feedback.encode(into: &writer) }
    }

    static func decode(from reader: inout PackedReader, format: UInt8) throws(FoldDecodingError) -> TimelineTotals {
        var totals = TimelineTotals()
        totals.sessionsStarted = try reader.signed()
        totals.sessionsEnded = try reader.signed()
        totals.messages = try reader.signed()
        totals.llmCalls = try reader.signed()
        totals.costNanos = try reader.signed()
        totals.toolCalls = try reader.signed()
        totals.toolErrors = try reader.signed()
        totals.llmErrors = try reader.signed()
        totals.inputTokens = try TokenSum.decode(from: &reader)
        totals.outputTokens = try TokenSum.decode(from: &reader)
        if format >= 3 { totals.feedback = try FeedbackTotals.decode(from: &reader) }
        return totals
    }
}

/// Per tool name, over all sessions.
struct ToolTotals: Sendable, Hashable {
    var calls: Int64 = 0
    var success: Int64 = 0
    var error: Int64 = 0
    var timeout: Int64 = 0
    /// Over calls carrying `execution_time_ms`.
    var executionTime = LatencyHistogram()

    @inline(__always)
    mutating func add(_ call: Event.ToolCall) {
        calls &+= 1
        switch call.status {
        case .success: success &+= 1
        case .error: error &+= 1
        case .timeout: timeout &+= 1
        }
        if let ms = call.executionTimeMs { executionTime.record(ms) }
    }

    mutating func merge(_ other: ToolTotals) {
        calls &+= other.calls
        success &+= other.success
        error &+= other.error
        timeout &+= other.timeout
        executionTime.merge(other.executionTime)
    }

    func view(toolName: String) -> ToolView {
        var view = ToolView(toolName: toolName)
        view.calls = calls
        view.success = success
        view.error = error
        view.timeout = timeout
        view.successRate = calls > 0 ? Double(success) / Double(calls) : nil
        view.avgMs = executionTime.average
        view.p50Ms = executionTime.percentile(50)
        view.p95Ms = executionTime.percentile(95)
        view.p99Ms = executionTime.percentile(99)
        view.maxMs = executionTime.count > 0 ? executionTime.max : nil
        return view
    }

    func encode(into writer: inout PackedWriter) {
        for value in [calls, success, error, timeout] { writer.signed(value) }
        executionTime.encode(into: &writer)
    }

    static func decode(from reader: inout PackedReader) throws(FoldDecodingError) -> ToolTotals {
        var totals = ToolTotals()
        totals.calls = try reader.signed()
        totals.success = try reader.signed()
        totals.error = try reader.signed()
        totals.timeout = try reader.signed()
        totals.executionTime = try LatencyHistogram.decode(from: &reader)
        return totals
    }
}

/// Per model name, over all sessions.
struct ModelTotals: Sendable, Hashable {
    var calls: Int64 = 0
    var errors: Int64 = 0
    var inputTokens = TokenSum()
    var outputTokens = TokenSum()
    var costNanos: Int64 = 0
    var unpricedCalls: Int64 = 0
    var latency = LatencyHistogram()
    /// In 128 bits: fewer than 2^63 values below 2^63 each never reach 2^127.
    var ttftTotalMs: Int128 = 0
    var ttftCount: Int64 = 0
    var cachedInputTokens = TokenSum()
    var cacheWriteInputTokens = TokenSum()
    var reasoningTokens = TokenSum()

    @inline(__always)
    mutating func add(_ call: Event.LLMCall, costNanos cost: Int64?) {
        calls &+= 1
        if call.status != .success { errors &+= 1 }
        inputTokens.add(call.inputTokens)
        outputTokens.add(call.outputTokens)
        cachedInputTokens.add(call.cachedInputTokens)
        cacheWriteInputTokens.add(call.cacheWriteInputTokens)
        reasoningTokens.add(call.reasoningTokens)
        if let cost { costNanos.addSaturating(cost) } else { unpricedCalls &+= 1 }
        if let ms = call.latencyMs { latency.record(ms) }
        if let ms = call.ttftMs {
            ttftTotalMs += Int128(ms)
            ttftCount &+= 1
        }
    }

    mutating func merge(_ other: ModelTotals) {
        calls &+= other.calls
        errors &+= other.errors
        inputTokens.merge(other.inputTokens)
        outputTokens.merge(other.outputTokens)
        costNanos.addSaturating(other.costNanos)
        unpricedCalls &+= other.unpricedCalls
        latency.merge(other.latency)
        ttftTotalMs += other.ttftTotalMs
        ttftCount &+= other.ttftCount
        cachedInputTokens.merge(other.cachedInputTokens)
        cacheWriteInputTokens.merge(other.cacheWriteInputTokens)
        reasoningTokens.merge(other.reasoningTokens)
    }

    func view(model: String) -> ModelView {
        var view = ModelView(model: model)
        view.calls = calls
        view.errors = errors
        view.inputTokens = inputTokens.value
        view.outputTokens = outputTokens.value
        view.costNanos = costNanos
        view.unpricedCalls = unpricedCalls
        view.cachedInputTokens = cachedInputTokens.value
        view.cacheWriteInputTokens = cacheWriteInputTokens.value
        view.reasoningTokens = reasoningTokens.value
        view.avgLatencyMs = latency.average
        view.p50LatencyMs = latency.percentile(50)
        view.p95LatencyMs = latency.percentile(95)
        view.p99LatencyMs = latency.percentile(99)
        view.avgTTFTMs = ttftCount > 0 ? Double(ttftTotalMs) / Double(ttftCount) : nil
        return view
    }

    func encode(into writer: inout PackedWriter, format: UInt8) {
        writer.signed(calls)
        writer.signed(errors)
        writer.signed(costNanos)
        writer.signed(unpricedCalls)
        writer.signed128(ttftTotalMs)
        writer.signed(ttftCount)
        inputTokens.encode(into: &writer)
        outputTokens.encode(into: &writer)
        latency.encode(into: &writer)
        guard format >= 3 else { return }
        cachedInputTokens.encode(into: &writer)
        cacheWriteInputTokens.encode(into: &writer)
        reasoningTokens.encode(into: &writer)
    }

    static func decode(from reader: inout PackedReader, format: UInt8) throws(FoldDecodingError) -> ModelTotals {
        var totals = ModelTotals()
        totals.calls = try reader.signed()
        totals.errors = try reader.signed()
        totals.costNanos = try reader.signed()
        totals.unpricedCalls = try reader.signed()
        totals.ttftTotalMs = try reader.signed128()
        totals.ttftCount = try reader.signed()
        totals.inputTokens = try TokenSum.decode(from: &reader)
        totals.outputTokens = try TokenSum.decode(from: &reader)
        totals.latency = try LatencyHistogram.decode(from: &reader)
        if format >= 3 {
            totals.cachedInputTokens = try TokenSum.decode(from: &reader)
            totals.cacheWriteInputTokens = try TokenSum.decode(from: &reader)
            totals.reasoningTokens = try TokenSum.decode(from: &reader)
        }
        return totals
    }
}

/// A user and an hour bucket of event time, for access bursts.
struct UserHour: Sendable, Hashable {
    var userID: String
    var hour: Int64
}

/// What sessions dropped by retention leave behind in the totals.
struct RetiredTotals: Sendable {
    /// Indexed by `Event.EndStatus.rawValue` (a retired session is always ended).
    var statusCounts: [Int64] = Array(repeating: 0, count: Event.EndStatus.allCases.count)
    /// Indexed by `RollupKey.index`.
    var rollups: [[String: RollupTotals]] = Array(repeating: [:], count: RollupKey.allCases.count)
    var alerts: [AlertView] = []
    // Retired sessions' error groups go into `FoldState.errorGroups`, which never changes them again.

    mutating func merge(_ other: RetiredTotals) {
        for index in statusCounts.indices { statusCounts[index] &+= other.statusCounts[index] }
        for index in rollups.indices {
            rollups[index].merge(other.rollups[index]) { mine, theirs in
                var sum = mine
                sum.merge(theirs)
                return sum
            }
        }
        alerts.append(contentsOf: other.alerts)
    }
}

/// Whether `later - earlier > limit`, exactly for any values: a difference past `Int64` is more
/// than any limit when `later` is the larger, never otherwise.
@inline(__always)
func isMore(than limit: Int64, from earlier: Int64, to later: Int64) -> Bool {
    let (difference, overflow) = later.subtractingReportingOverflow(earlier)
    return overflow ? later > earlier : difference > limit
}

/// Floor division for bucketing event times (also correct before 1970).
@inline(__always)
func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
    let quotient = value / divisor
    return (value % divisor < 0) ? quotient - 1 : quotient
}

let millisecondsPerMinute: Int64 = 60_000
let millisecondsPerHour: Int64 = 3_600_000
