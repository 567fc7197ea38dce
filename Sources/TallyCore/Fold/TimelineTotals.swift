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
