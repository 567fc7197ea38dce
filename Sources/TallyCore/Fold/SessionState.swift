/// The mergeable state of one session: everything its row and alerts are derived from.
///
/// Every field is either a sum or a minimum / maximum / first-by-`ts` choice with a total-order
/// tie-break, so any fold order and any split into merged parts give the same state.
struct SessionState: Sendable {
    /// A context value and the `ts` of the event that carried it; the smallest (`ts`, value) wins.
    struct FirstSeen: Sendable, Hashable {
        var timestamp: Int64
        var value: String

        @inline(__always)
        static func earliest(_ current: FirstSeen?, _ timestamp: Int64, _ value: String?) -> FirstSeen? {
            guard let value else { return current }
            guard let current else { return FirstSeen(timestamp: timestamp, value: value) }
            if timestamp < current.timestamp || (timestamp == current.timestamp && value < current.value) {
                return FirstSeen(timestamp: timestamp, value: value)
            }
            return current
        }

        /// `current = earliest(current, timestamp, value)`, in place: no copy of the kept value.
        @inline(__always)
        static func keepEarliest(_ current: inout FirstSeen?, _ timestamp: Int64, _ value: String?) {
            guard let value else { return }
            if current != nil {
                let kept = current!.timestamp
                if timestamp > kept || (timestamp == kept && !(value < current!.value)) { return }
            }
            current = FirstSeen(timestamp: timestamp, value: value)
        }

        /// Whether a value at `timestamp` can replace one kept at `kept` (the `ts` test of
        /// `keepEarliest`, done before the event's text is read).
        @inline(__always)
        static func mayReplace(keptAt kept: Int64?, with timestamp: Int64) -> Bool {
            guard let kept else { return true }
            return timestamp <= kept
        }

        static func earliest(_ lhs: FirstSeen?, _ rhs: FirstSeen?) -> FirstSeen? {
            guard let rhs else { return lhs }
            return earliest(lhs, rhs.timestamp, rhs.value)
        }
    }

    /// The latest `session_end`; ties on `ts` go to the larger status raw value, then the larger message.
    struct EndRecord: Sendable, Hashable {
        var timestamp: Int64
        var status: Event.EndStatus
        var errorMessage: String?

        func isLater(than other: EndRecord) -> Bool {
            if timestamp != other.timestamp { return timestamp > other.timestamp }
            if status != other.status { return status.rawValue > other.status.rawValue }
            switch (errorMessage, other.errorMessage) {
            case let (mine?, theirs?): return mine > theirs
            case (_?, nil): return true
            default: return false
            }
        }
    }

    /// The model of the latest `llm_call`; ties on `ts` go to the larger model name.
    struct LatestModel: Sendable, Hashable {
        var timestamp: Int64
        var model: String

        func isLater(than other: LatestModel) -> Bool {
            timestamp != other.timestamp ? timestamp > other.timestamp : model > other.model
        }
    }

    struct ModelUsage: Sendable, Hashable {
        var model: String
        var calls: Int64 = 0
        var inputTokens = TokenSum()
        var outputTokens = TokenSum()
        var costNanos: Int64 = 0
        var cachedInputTokens = TokenSum()
        var cacheWriteInputTokens = TokenSum()
        var reasoningTokens = TokenSum()
    }

    struct ToolUsage: Sendable, Hashable {
        var toolName: String
        var calls: Int64 = 0
        var errors: Int64 = 0
        var timeouts: Int64 = 0
    }

    /// A `slow_tool` or `context_window` alert raised by one event of this session. `userID` is the
    /// event's own `user_id`; the session's user stands in when it is absent.
    struct EventAlert: Sendable, Hashable {
        var kind: AlertView.Kind
        var timestamp: Int64
        var value: Double
        var threshold: Double
        var detail: String
        var userID: String?
    }

    /// Denied or rate-limited `access` events without their own `user_id`, per hour bucket of event time;
    /// they count for the session's user.
    struct HourCount: Sendable, Hashable {
        var hour: Int64
        var count: Int64
    }

    let id: String
    var firstTimestamp: Int64
    var lastTimestamp: Int64
    /// Earliest `session_start`.
    var startTimestamp: Int64?
    var conversationID: FirstSeen?
    var userID: FirstSeen?
    var orgID: FirstSeen?
    var projectID: FirstSeen?
    var personaID: FirstSeen?
    var end: EndRecord?
    var lastModel: LatestModel?

    var messages: Int64 = 0
    var userMessages: Int64 = 0
    var assistantMessages: Int64 = 0
    var llmCalls: Int64 = 0
    var llmErrors: Int64 = 0
    var inputTokens = TokenSum()
    var outputTokens = TokenSum()
    var costNanos: Int64 = 0
    var unpricedLLMCalls: Int64 = 0
    var toolCalls: Int64 = 0
    var toolErrors: Int64 = 0
    var toolTimeouts: Int64 = 0
    var messageSequence = MessageSequence()
    /// 1.1: the token breakdown, feedback, `log` events of level `error`, the fullest context window.
    var cachedInputTokens = TokenSum()
    var cacheWriteInputTokens = TokenSum()
    var reasoningTokens = TokenSum()
    var feedback = FeedbackTotals()
    var logErrors: Int64 = 0
    var maxContext: ContextRatio?
    var models: [ModelUsage] = []
    var tools: [ToolUsage] = []
    var eventAlerts: [EventAlert] = []
    var accessWithoutUser: [HourCount] = []

    /// Changed since the last `takeChanges()`; not persisted.
    var isDirty = false
    /// The frames holding the session's events; persisted by the snapshot's frame index, not in the state.
    var frames = FrameList()
    /// What the session added to `FoldState.live` at its last refresh (`nil`: nothing yet); not persisted or merged.
    var contribution: SessionContribution? {
        get { storedContribution?.value }
        set { storedContribution = newValue.map(ContributionBox.init) }
    }
    /// ``contribution``, out of line: its 360 bytes would make every state (copied whenever the
    /// table grows, and held for every retained session) more than half as large again.
    private var storedContribution: ContributionBox?

    private final class ContributionBox: Sendable {
        let value: SessionContribution
        init(_ value: SessionContribution) { self.value = value }
    }

    init(id: String, timestamp: Int64) {
        self.id = id
        firstTimestamp = timestamp
        lastTimestamp = timestamp
    }

    var startedAt: Int64 { startTimestamp ?? firstTimestamp }

    /// Ended (explicitly or by derived `TIMEOUT`) at `watermark`.
    @inline(__always)
    func isEnded(watermark: Int64, settings: FoldSettings) -> Bool {
        end != nil || isMore(than: settings.inactivityTimeoutMs, from: lastTimestamp, to: watermark)
    }

    /// Ended and last active more than the retention before `watermark`: no longer in the session table.
    @inline(__always)
    func isPastRetention(watermark: Int64, settings: FoldSettings) -> Bool {
        isMore(than: settings.sessionRetentionMs, from: lastTimestamp, to: watermark)
            && isEnded(watermark: watermark, settings: settings)
    }

    // MARK: Folding

    /// The order-independent choices every event makes: first/last times and context. Reads the
    /// event in place; a text is copied only when it may be kept. The choices of particular types
    /// (start, end, latest model) are `observeStart`, `observeEnd` and `observeModel`.
    @inline(__always)
    mutating func observe(_ event: UnsafePointer<Event>) {
        let timestamp = event.pointee.timestamp
        if timestamp < firstTimestamp { firstTimestamp = timestamp }
        if timestamp > lastTimestamp { lastTimestamp = timestamp }
        if FirstSeen.mayReplace(keptAt: conversationID?.timestamp, with: timestamp) {
            FirstSeen.keepEarliest(&conversationID, timestamp, event.pointee.context.conversationID)
        }
        if FirstSeen.mayReplace(keptAt: userID?.timestamp, with: timestamp) {
            FirstSeen.keepEarliest(&userID, timestamp, event.pointee.context.userID)
        }
        if FirstSeen.mayReplace(keptAt: orgID?.timestamp, with: timestamp) {
            FirstSeen.keepEarliest(&orgID, timestamp, event.pointee.context.orgID)
        }
        if FirstSeen.mayReplace(keptAt: projectID?.timestamp, with: timestamp) {
            FirstSeen.keepEarliest(&projectID, timestamp, event.pointee.context.projectID)
        }
        if FirstSeen.mayReplace(keptAt: personaID?.timestamp, with: timestamp) {
            FirstSeen.keepEarliest(&personaID, timestamp, event.pointee.context.personaID)
        }
    }

    /// A `session_start` at `timestamp`: the earliest one is the start.
    @inline(__always)
    mutating func observeStart(timestamp: Int64) {
        if startTimestamp.map({ timestamp < $0 }) ?? true { startTimestamp = timestamp }
    }

    /// A `session_end` at `timestamp`: the latest one (see `EndRecord.isLater`) is the end.
    @inline(__always)
    mutating func observeEnd(timestamp: Int64, _ sessionEnd: Event.SessionEnd) {
        let record = EndRecord(timestamp: timestamp, status: sessionEnd.status, errorMessage: sessionEnd.errorMessage)
        if end.map({ record.isLater(than: $0) }) ?? true { end = record }
    }

    /// An `llm_call` of `model` at `timestamp`: the latest call names the last model.
    @inline(__always)
    mutating func observeModel(timestamp: Int64, _ model: String) {
        // Only a call at or after the latest one can replace it.
        if let kept = lastModel?.timestamp, timestamp < kept { return }
        let latest = LatestModel(timestamp: timestamp, model: model)
        if lastModel.map({ latest.isLater(than: $0) }) ?? true { lastModel = latest }
    }

    @inline(__always)
    mutating func addMessage(timestamp: Int64, role: Event.Role) {
        messages &+= 1
        switch role {
        case .user: userMessages &+= 1
        case .assistant: assistantMessages &+= 1
        case .system, .tool: break
        }
        messageSequence.insert(timestamp: timestamp, role: role)
    }

    @inline(__always)
    mutating func addLLMCall(_ call: Event.LLMCall, costNanos cost: Int64?) {
        llmCalls &+= 1
        if call.status != .success { llmErrors &+= 1 }
        inputTokens.add(call.inputTokens)
        outputTokens.add(call.outputTokens)
        cachedInputTokens.add(call.cachedInputTokens)
        cacheWriteInputTokens.add(call.cacheWriteInputTokens)
        reasoningTokens.add(call.reasoningTokens)
        if let window = call.contextWindow, let input = call.inputTokens {
            let ratio = ContextRatio(inputTokens: input, contextWindow: window)
            if maxContext.map({ ratio.isFuller(than: $0) }) ?? true { maxContext = ratio }
        }
        if let cost { costNanos.addSaturating(cost) } else { unpricedLLMCalls &+= 1 }
        let index = models.firstIndex { $0.model == call.model } ?? {
            models.append(ModelUsage(model: call.model))
            return models.count - 1
        }()
        models[index].calls &+= 1
        models[index].inputTokens.add(call.inputTokens)
        models[index].outputTokens.add(call.outputTokens)
        models[index].cachedInputTokens.add(call.cachedInputTokens)
        models[index].cacheWriteInputTokens.add(call.cacheWriteInputTokens)
        models[index].reasoningTokens.add(call.reasoningTokens)
        if let cost { models[index].costNanos.addSaturating(cost) }
    }

    @inline(__always)
    mutating func addToolCall(_ call: Event.ToolCall) {
        toolCalls &+= 1
        let index = tools.firstIndex { $0.toolName == call.toolName } ?? {
            tools.append(ToolUsage(toolName: call.toolName))
            return tools.count - 1
        }()
        tools[index].calls &+= 1
        switch call.status {
        case .success: break
        case .error:
            toolErrors &+= 1
            tools[index].errors &+= 1
        case .timeout:
            toolTimeouts &+= 1
            tools[index].timeouts &+= 1
        }
    }

    mutating func addAlert(_ alert: EventAlert) {
        eventAlerts.append(alert)
    }

    mutating func addAccessWithoutUser(hour: Int64) {
        if let index = accessWithoutUser.firstIndex(where: { $0.hour == hour }) {
            accessWithoutUser[index].count &+= 1
        } else {
            accessWithoutUser.append(HourCount(hour: hour, count: 1))
        }
    }

    // MARK: Merging

    /// Folds another part's state of the same session into this one.
    mutating func merge(_ other: SessionState) {
        firstTimestamp = min(firstTimestamp, other.firstTimestamp)
        lastTimestamp = max(lastTimestamp, other.lastTimestamp)
        if let otherStart = other.startTimestamp, startTimestamp.map({ otherStart < $0 }) ?? true {
            startTimestamp = otherStart
        }
        conversationID = FirstSeen.earliest(conversationID, other.conversationID)
        userID = FirstSeen.earliest(userID, other.userID)
        orgID = FirstSeen.earliest(orgID, other.orgID)
        projectID = FirstSeen.earliest(projectID, other.projectID)
        personaID = FirstSeen.earliest(personaID, other.personaID)
        if let otherEnd = other.end, end.map({ otherEnd.isLater(than: $0) }) ?? true { end = otherEnd }
        if let otherModel = other.lastModel, lastModel.map({ otherModel.isLater(than: $0) }) ?? true {
            lastModel = otherModel
        }
        messages &+= other.messages
        userMessages &+= other.userMessages
        assistantMessages &+= other.assistantMessages
        llmCalls &+= other.llmCalls
        llmErrors &+= other.llmErrors
        inputTokens.merge(other.inputTokens)
        outputTokens.merge(other.outputTokens)
        costNanos.addSaturating(other.costNanos)
        unpricedLLMCalls &+= other.unpricedLLMCalls
        toolCalls &+= other.toolCalls
        toolErrors &+= other.toolErrors
        toolTimeouts &+= other.toolTimeouts
        messageSequence.merge(other.messageSequence)
        cachedInputTokens.merge(other.cachedInputTokens)
        cacheWriteInputTokens.merge(other.cacheWriteInputTokens)
        reasoningTokens.merge(other.reasoningTokens)
        feedback.merge(other.feedback)
        logErrors &+= other.logErrors
        if let ratio = other.maxContext, maxContext.map({ ratio.isFuller(than: $0) }) ?? true { maxContext = ratio }
        for usage in other.models {
            if let index = models.firstIndex(where: { $0.model == usage.model }) {
                models[index].calls &+= usage.calls
                models[index].inputTokens.merge(usage.inputTokens)
                models[index].outputTokens.merge(usage.outputTokens)
                models[index].costNanos.addSaturating(usage.costNanos)
                models[index].cachedInputTokens.merge(usage.cachedInputTokens)
                models[index].cacheWriteInputTokens.merge(usage.cacheWriteInputTokens)
                models[index].reasoningTokens.merge(usage.reasoningTokens)
            } else {
                models.append(usage)
            }
        }
        for usage in other.tools {
            if let index = tools.firstIndex(where: { $0.toolName == usage.toolName }) {
                tools[index].calls &+= usage.calls
                tools[index].errors &+= usage.errors
                tools[index].timeouts &+= usage.timeouts
            } else {
                tools.append(usage)
            }
        }
        eventAlerts.append(contentsOf: other.eventAlerts)
        for hourCount in other.accessWithoutUser {
            if let index = accessWithoutUser.firstIndex(where: { $0.hour == hourCount.hour }) {
                accessWithoutUser[index].count &+= hourCount.count
            } else {
                accessWithoutUser.append(hourCount)
            }
        }
    }
}
