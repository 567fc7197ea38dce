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
