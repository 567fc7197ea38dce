/// Turning a session's state into its row and alerts, at a watermark.
extension SessionState {
    /// User→assistant response pairs of the sorted message sequence.
    struct Responses {
        var count: Int64 = 0
        var totalMs: Int64 = 0
        var maxMs: Int64?
        /// (`ts` of the assistant message, response time) of pairs slower than the threshold.
        var slow: [(timestamp: Int64, ms: Int64)] = []
    }

    func responses(slowerThan slowMs: Int64) -> Responses {
        var result = Responses()
        messageSequence.forEachResponse { assistantTimestamp, ms in
            result.count += 1
            result.totalMs &+= ms
            if result.maxMs.map({ ms > $0 }) ?? true { result.maxMs = ms }
            if ms > slowMs { result.slow.append((assistantTimestamp, ms)) }
        }
        return result
    }

    func row(responses: Responses) -> SessionRow {
        var row = SessionRow(sessionID: id, startedAt: startedAt, lastActivityAt: lastTimestamp)
        row.endStatus = end?.status
        row.endTimestamp = end?.timestamp
        row.errorMessage = end?.errorMessage
        row.conversationID = conversationID?.value
        row.userID = userID?.value
        row.orgID = orgID?.value
        row.projectID = projectID?.value
        row.personaID = personaID?.value
        row.messages = messages
        row.userMessages = userMessages
        row.assistantMessages = assistantMessages
        row.llmCalls = llmCalls
        row.llmErrors = llmErrors
        row.inputTokens = inputTokens.value
        row.outputTokens = outputTokens.value
        row.costNanos = costNanos
        row.unpricedLLMCalls = unpricedLLMCalls
        row.toolCalls = toolCalls
        row.toolErrors = toolErrors
        row.toolTimeouts = toolTimeouts
        row.responseCount = responses.count
        row.responseTotalMs = responses.totalMs
        row.maxResponseMs = responses.maxMs
        row.lastModel = lastModel?.model
        row.cachedInputTokens = cachedInputTokens.value
        row.cacheWriteInputTokens = cacheWriteInputTokens.value
        row.reasoningTokens = reasoningTokens.value
        row.feedback = feedback.feedback
        row.ratings = feedback.ratings
        row.averageRating = feedback.averageRating
        row.positiveFeedback = feedback.positive
        row.negativeFeedback = feedback.negative
        row.logErrors = logErrors
        row.maxContextRatio = maxContext?.value
        row.models = models.filter { $0.calls != 0 }.sorted { $0.model < $1.model }.map {
            SessionModelUsage(
                model: $0.model, calls: $0.calls, inputTokens: $0.inputTokens.value,
                outputTokens: $0.outputTokens.value, costNanos: $0.costNanos,
                cachedInputTokens: $0.cachedInputTokens.value, cacheWriteInputTokens: $0.cacheWriteInputTokens.value,
                reasoningTokens: $0.reasoningTokens.value)
        }
        row.tools = tools.filter { $0.calls != 0 }.sorted { $0.toolName < $1.toolName }.map {
            SessionToolUsage(toolName: $0.toolName, calls: $0.calls, errors: $0.errors, timeouts: $0.timeouts)
        }
        return row
    }

    /// The session's row and every alert it raises at `watermark`.
    func materialize(watermark: Int64, settings: FoldSettings) -> (row: SessionRow, alerts: [AlertView]) {
        let responses = responses(slowerThan: settings.slowResponseMs)
        var alerts: [AlertView] = []
        appendAlerts(to: &alerts, responses: responses, settings: settings)
        return (row(responses: responses), alerts)
    }

    /// Appends every alert the session raises at any watermark (ended or not, the duration is the same).
    func appendAlerts(to alerts: inout [AlertView], settings: FoldSettings) {
        appendAlerts(to: &alerts, responses: responses(slowerThan: settings.slowResponseMs), settings: settings)
    }

    func appendAlerts(to alerts: inout [AlertView], responses: Responses, settings: FoldSettings) {
        let user = userID?.value
        for alert in eventAlerts {
            alerts.append(AlertView(
                kind: alert.kind, sessionID: id, userID: alert.userID ?? user, timestamp: alert.timestamp,
                value: alert.value, threshold: alert.threshold, detail: alert.detail))
        }
        for slow in responses.slow {
            alerts.append(AlertView(
                kind: .slowResponse, sessionID: id, userID: user, timestamp: slow.timestamp,
                value: Double(slow.ms), threshold: Double(settings.slowResponseMs),
                detail: "assistant responded after \(slow.ms) ms"))
        }
        // `SessionRow.durationMs`: the end, the last activity once timed out, else the last activity.
        let duration = (end?.timestamp ?? lastTimestamp) - startedAt
        if duration > settings.maxSessionDurationMs {
            alerts.append(AlertView(
                kind: .longSession, sessionID: id, userID: user, timestamp: startedAt,
                value: Double(duration), threshold: Double(settings.maxSessionDurationMs),
                detail: "session lasted \(duration) ms"))
        }
    }
}
