/// The packed format of one session's state (``FoldState/sessionFormat``), the bytes a snapshot
/// keeps per session row, and of the alert views inside it.

extension SessionState {
    func encoded() -> [UInt8] { encoded(format: FoldState.sessionFormat) }

    /// `encoded()` in `format` (1 or 2); format 1, as builds before 1.1 wrote it, lacks the 1.1 figures.
    func encoded(format: UInt8) -> [UInt8] {
        // Room for a typical session (a few hundred bytes) without growing the buffer step by step.
        var writer = PackedWriter(capacity: 512)
        writer.byte(format)
        writer.string(id)
        writer.signed(firstTimestamp)
        writer.signed(lastTimestamp)
        writer.optionalSigned(startTimestamp)
        for context in [conversationID, userID, orgID, projectID, personaID] {
            writer.bool(context != nil)
            if let context {
                writer.signed(context.timestamp)
                writer.string(context.value)
            }
        }
        writer.bool(end != nil)
        if let end {
            writer.signed(end.timestamp)
            writer.byte(end.status.rawValue)
            writer.optionalString(end.errorMessage)
        }
        writer.bool(lastModel != nil)
        if let lastModel {
            writer.signed(lastModel.timestamp)
            writer.string(lastModel.model)
        }
        for value in [
            messages, userMessages, assistantMessages, llmCalls, llmErrors, costNanos, unpricedLLMCalls,
            toolCalls, toolErrors, toolTimeouts,
        ] {
            writer.signed(value)
        }
        inputTokens.encode(into: &writer)
        outputTokens.encode(into: &writer)
        messageSequence.encode(into: &writer)
        writer.count(models.count)
        for usage in models {
            writer.string(usage.model)
            writer.signed(usage.calls)
            usage.inputTokens.encode(into: &writer)
            usage.outputTokens.encode(into: &writer)
            writer.signed(usage.costNanos)
        }
        writer.count(tools.count)
        for usage in tools {
            writer.string(usage.toolName)
            writer.signed(usage.calls)
            writer.signed(usage.errors)
            writer.signed(usage.timeouts)
        }
        writer.count(eventAlerts.count)
        for alert in eventAlerts {
            writer.string(alert.kind.rawValue)
            writer.signed(alert.timestamp)
            writer.double(alert.value)
            writer.double(alert.threshold)
            writer.string(alert.detail)
            writer.optionalString(alert.userID)
        }
        writer.count(accessWithoutUser.count)
        for hourCount in accessWithoutUser {
            writer.signed(hourCount.hour)
            writer.signed(hourCount.count)
        }
        guard format >= 2 else { return writer.compactBytes }
        cachedInputTokens.encode(into: &writer)
        cacheWriteInputTokens.encode(into: &writer)
        reasoningTokens.encode(into: &writer)
        feedback.encode(into: &writer)
        writer.signed(logErrors)
        writer.bool(maxContext != nil)
        if let maxContext {
            writer.signed(maxContext.inputTokens)
            writer.signed(maxContext.contextWindow)
        }
        for usage in models {
            usage.cachedInputTokens.encode(into: &writer)
            usage.cacheWriteInputTokens.encode(into: &writer)
            usage.reasoningTokens.encode(into: &writer)
        }
        return writer.compactBytes
    }

    static func decode(_ bytes: [UInt8]) throws(FoldDecodingError) -> SessionState {
        var reader = PackedReader(bytes, part: "session state")
        let format = try reader.byte()
        guard format == 1 || format == FoldState.sessionFormat else { throw reader.failure("unknown format \(format)", code: .unknownFormat) }
        var session = SessionState(id: try reader.string(), timestamp: 0)
        session.firstTimestamp = try reader.signed()
        session.lastTimestamp = try reader.signed()
        session.startTimestamp = try reader.optionalSigned()
        var contexts: [FirstSeen?] = []
        for _ in 0..<5 {
            contexts.append(try reader.bool() ? FirstSeen(timestamp: try reader.signed(), value: try reader.string()) : nil)
        }
        session.conversationID = contexts[0]
        session.userID = contexts[1]
        session.orgID = contexts[2]
        session.projectID = contexts[3]
        session.personaID = contexts[4]
        if try reader.bool() {
            session.end = EndRecord(
                timestamp: try reader.signed(), status: try reader.enumeration(Event.EndStatus.self),
                errorMessage: try reader.optionalString())
        }
        if try reader.bool() {
            session.lastModel = LatestModel(timestamp: try reader.signed(), model: try reader.string())
        }
        session.messages = try reader.signed()
        session.userMessages = try reader.signed()
        session.assistantMessages = try reader.signed()
        session.llmCalls = try reader.signed()
        session.llmErrors = try reader.signed()
        session.costNanos = try reader.signed()
        session.unpricedLLMCalls = try reader.signed()
        session.toolCalls = try reader.signed()
        session.toolErrors = try reader.signed()
        session.toolTimeouts = try reader.signed()
        session.inputTokens = try TokenSum.decode(from: &reader)
        session.outputTokens = try TokenSum.decode(from: &reader)
        session.messageSequence = try MessageSequence.decode(from: &reader)
        for _ in 0..<(try reader.count()) {
            var usage = ModelUsage(model: try reader.string())
            usage.calls = try reader.signed()
            usage.inputTokens = try TokenSum.decode(from: &reader)
            usage.outputTokens = try TokenSum.decode(from: &reader)
            usage.costNanos = try reader.signed()
            session.models.append(usage)
        }
        for _ in 0..<(try reader.count()) {
            session.tools.append(ToolUsage(
                toolName: try reader.string(), calls: try reader.signed(), errors: try reader.signed(),
                timeouts: try reader.signed()))
        }
        for _ in 0..<(try reader.count()) {
            let kindName = try reader.string()
            guard let kind = AlertView.Kind(rawValue: kindName) else { throw reader.failure("unknown alert kind \(kindName)") }
            session.eventAlerts.append(EventAlert(
                kind: kind, timestamp: try reader.signed(), value: try reader.double(), threshold: try reader.double(),
                detail: try reader.string(), userID: try reader.optionalString()))
        }
        for _ in 0..<(try reader.count()) {
            session.accessWithoutUser.append(HourCount(hour: try reader.signed(), count: try reader.signed()))
        }
        if format >= 2 {
            session.cachedInputTokens = try TokenSum.decode(from: &reader)
            session.cacheWriteInputTokens = try TokenSum.decode(from: &reader)
            session.reasoningTokens = try TokenSum.decode(from: &reader)
            session.feedback = try FeedbackTotals.decode(from: &reader)
            session.logErrors = try reader.signed()
            if try reader.bool() {
                session.maxContext = ContextRatio(inputTokens: try reader.signed(), contextWindow: try reader.signed())
            }
            for index in session.models.indices {
                session.models[index].cachedInputTokens = try TokenSum.decode(from: &reader)
                session.models[index].cacheWriteInputTokens = try TokenSum.decode(from: &reader)
                session.models[index].reasoningTokens = try TokenSum.decode(from: &reader)
            }
        }
        guard reader.isAtEnd else { throw reader.failure("unexpected bytes after the end") }
        return session
    }
}

extension AlertView {
    func encode(into writer: inout PackedWriter) {
        writer.string(kind.rawValue)
        writer.optionalString(sessionID)
        writer.optionalString(userID)
        writer.signed(timestamp)
        writer.double(value)
        writer.double(threshold)
        writer.string(detail)
    }

    static func decode(from reader: inout PackedReader) throws(FoldDecodingError) -> AlertView {
        let kindName = try reader.string()
        guard let kind = Kind(rawValue: kindName) else { throw reader.failure("unknown alert kind \(kindName)") }
        return AlertView(
            kind: kind, sessionID: try reader.optionalString(), userID: try reader.optionalString(),
            timestamp: try reader.signed(), value: try reader.double(), threshold: try reader.double(),
            detail: try reader.string())
    }
}
