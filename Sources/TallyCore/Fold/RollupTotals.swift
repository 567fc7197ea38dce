/// One row of a user / org / project / persona rollup before it is shown.
struct RollupTotals: Sendable, Hashable {
    var sessions: Int64 = 0
    var llmCalls: Int64 = 0
    var inputTokens = TokenSum()
    var outputTokens = TokenSum()
    var costNanos: Int64 = 0
    var toolErrors: Int64 = 0
    /// 1.1: sessions by status, indexed by `RollupTotals.statusIndex` (`ACTIVE`, then the end statuses).
    var statuses: [Int64] = [0, 0, 0, 0, 0]
    var responseCount: Int64 = 0
    var responseTotalMs: Int64 = 0
    var feedback = FeedbackTotals()

    /// `ACTIVE` is 0; an end status is its raw value + 1.
    static func statusIndex(_ status: Event.EndStatus?) -> Int {
        status.map { Int($0.rawValue) + 1 } ?? 0
    }

    /// One session whose status is `status` (`nil`: `ACTIVE`).
    mutating func add(_ session: SessionState, status: Event.EndStatus?, responses: SessionState.Responses) {
        sessions &+= 1
        llmCalls &+= session.llmCalls
        inputTokens.merge(session.inputTokens)
        outputTokens.merge(session.outputTokens)
        costNanos.addSaturating(session.costNanos)
        toolErrors &+= session.toolErrors
        statuses[Self.statusIndex(status)] &+= 1
        responseCount &+= responses.count
        responseTotalMs &+= responses.totalMs
        feedback.merge(session.feedback)
    }

    /// A session counted `ACTIVE` is now derived `TIMEOUT`.
    mutating func timeOut(count: Int64 = 1) {
        statuses[0] &-= count
        statuses[Self.statusIndex(.timeout)] &+= count
    }

    mutating func merge(_ other: RollupTotals) {
        sessions &+= other.sessions
        llmCalls &+= other.llmCalls
        inputTokens.merge(other.inputTokens)
        outputTokens.merge(other.outputTokens)
        costNanos.addSaturating(other.costNanos)
        toolErrors &+= other.toolErrors
        for index in statuses.indices { statuses[index] &+= other.statuses[index] }
        responseCount &+= other.responseCount
        responseTotalMs &+= other.responseTotalMs
        feedback.merge(other.feedback)
    }

    /// Takes back what `merge(other)` added: exact while no token or cost sum is saturated.
    mutating func subtract(_ other: RollupTotals) {
        sessions &-= other.sessions
        llmCalls &-= other.llmCalls
        inputTokens.subtract(other.inputTokens)
        outputTokens.subtract(other.outputTokens)
        costNanos &-= other.costNanos
        toolErrors &-= other.toolErrors
        for index in statuses.indices { statuses[index] &-= other.statuses[index] }
        responseCount &-= other.responseCount
        responseTotalMs &-= other.responseTotalMs
        feedback.subtract(other.feedback)
    }

    func view(key: String) -> RollupView {
        var view = RollupView(key: key)
        view.sessions = sessions
        view.llmCalls = llmCalls
        view.inputTokens = inputTokens.value
        view.outputTokens = outputTokens.value
        view.costNanos = costNanos
        view.toolErrors = toolErrors
        view.active = statuses[0]
        view.completed = statuses[Self.statusIndex(.completed)]
        view.failed = statuses[Self.statusIndex(.failed)]
        view.cancelled = statuses[Self.statusIndex(.cancelled)]
        view.timeout = statuses[Self.statusIndex(.timeout)]
        view.successRate = RollupView.successRate(completed: view.completed, sessions: sessions)
        view.responseCount = responseCount
        view.responseTotalMs = responseTotalMs
        view.feedback = feedback.feedback
        view.averageRating = feedback.averageRating
        view.negativeFeedback = feedback.negative
        return view
    }

    /// Format 3 of the globals adds the statuses, responses and feedback.
    func encode(into writer: inout PackedWriter, format: UInt8) {
        writer.signed(sessions)
        writer.signed(llmCalls)
        writer.signed(costNanos)
        writer.signed(toolErrors)
        inputTokens.encode(into: &writer)
        outputTokens.encode(into: &writer)
        guard format >= 3 else { return }
        for value in statuses { writer.signed(value) }
        writer.signed(responseCount)
        writer.signed(responseTotalMs)
        feedback.encode(into: &writer)
    }

    static func decode(from reader: inout PackedReader, format: UInt8) throws(FoldDecodingError) -> RollupTotals {
        var totals = RollupTotals()
        totals.sessions = try reader.signed()
        totals.llmCalls = try reader.signed()
        totals.costNanos = try reader.signed()
        totals.toolErrors = try reader.signed()
        totals.inputTokens = try TokenSum.decode(from: &reader)
        totals.outputTokens = try TokenSum.decode(from: &reader)
        if format >= 3 {
            for index in totals.statuses.indices { totals.statuses[index] = try reader.signed() }
            totals.responseCount = try reader.signed()
            totals.responseTotalMs = try reader.signed()
            totals.feedback = try FeedbackTotals.decode(from: &reader)
        }
        return totals
    }
}
