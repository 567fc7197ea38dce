/// The fold: every aggregate Tally shows, built from events in any order and mergeable across parts.
///
/// ```swift
/// var state = FoldState(settings: settings)
/// for event in events { state.fold(event) }
/// var other = FoldState(settings: settings)
/// for event in moreEvents { other.fold(event) }
/// state.merge(other)          // same as folding events + moreEvents into one state
/// print(state.summary().events, state.tools())
/// ```
///
/// A plain value owned by one thread: no locks, no I/O. `fold` is amortized O(1) for events in time
/// order (a late message moves the later messages of its session by one slot). The session-derived
/// views (status counts, rollups, timeline sessions, alerts) come from cached sums of each session's
/// contribution, refreshed by `takeChanges()`: a view costs its own size plus O(sessions changed since
/// the last `takeChanges()` + sessions counted `ACTIVE`), not O(all sessions).
///
/// Guarantees and documented choices (see also the README):
/// - **Order independence.** Folding a set of events in any order, or in parts merged with `merge`,
///   gives identical views, as long as no session is dropped by retention before all its events
///   are folded, every `event_id`'s copies lie within one `dedup_window` of each other, and (for
///   `merge`) no `event_id` was folded by two parts.
/// - **Watermark.** The fold's clock, in event time only: the latest `ts` that `watermark_quorum`
///   folded events vouch for within `dedup_window` (see ``WatermarkSummary`` for the rule and why
///   fewer than that many far-future events leave statuses, retention and dedup exactly as they were).
/// - **Dedup.** A copy of an `event_id` whose `ts` is within `dedup_window` (inclusive) of a folded copy
///   is counted in `duplicates` and not folded. Ids are forgotten once their `ts` is more than
///   2 × `dedup_window` behind the watermark, so a copy more than one window behind the watermark
///   may be folded again. `merge` is exact when no `event_id` was folded by both parts (see there).
/// - **Retention.** A session that is ended (explicitly or by derived `TIMEOUT`) and whose last
///   activity is more than `session_retention` behind the watermark leaves the session table; its
///   contributions stay in the summary, rollups, timeline and alerts. A later event with its id starts
///   a new session record (counted again in `sessions.total`).
/// - **Cost** of each call is rounded to the nano-dollar (half-even) before it is summed.
/// - **Totals never wrap.** Token and cost sums saturate at `Int64.max` (order-independently: every
///   addend is non-negative). Each token or cost figure of any view is a part of the fold's own
///   total, so while `summary().overflowedTotals` is empty every figure is exact; a total listed
///   there is held at `Int64.max` and its figures are not to be shown. Sums behind averages are
///   128-bit; counters grow by one an event; response times and durations are bounded by the
///   span of event times.
/// - **Response pairing** sorts messages by `ts`, ties ordered `user` < `assistant` < `system` < `tool`.
/// - **Rollups** omit sessions without the id; **timeline** `sessions_ended` counts explicit ends and
///   derived `TIMEOUT`s at their `ended_at`; **access bursts** count per (user, hour) with the event's
///   own `user_id`, else its session's; an event with neither counts for no one.
public struct FoldState: Sendable {
    public private(set) var settings: FoldSettings

    var sessions = SessionTable()
    /// The largest folded `ts`, from which the watermark is computed.
    var watermarkSummary: WatermarkSummary
    var events: Int64 = 0
    var duplicates: Int64 = 0
    /// Indexed by the position of the reason in `InvalidReason.allCases`.
    var invalidCounts = Array(repeating: Int64(0), count: InvalidReason.allCases.count)
    var messages: Int64 = 0
    var llmCalls: Int64 = 0
    var toolCalls: Int64 = 0
    var inputTokens = TokenSum()
    var outputTokens = TokenSum()
    var costNanos: Int64 = 0
    var unpricedLLMCalls: Int64 = 0
    var cachedInputTokens = TokenSum()
    var cacheWriteInputTokens = TokenSum()
    var reasoningTokens = TokenSum()
    var feedback = FeedbackTotals()
    /// Dead-lettered lines by the field their reason was about.
    var invalidFieldCounts: [String: Int64] = [:]
    /// Failed calls, and the `FAILED` sessions that retention retired (live ones are in `live.failures`).
    var errorGroups: ErrorGroups
    /// Keyed by minute index (`ts` floor-divided by 60,000).
    var timelineTotals: [Int64: TimelineTotals] = [:]
    var toolTotals: [String: ToolTotals] = [:]
    var modelTotals: [String: ModelTotals] = [:]
    /// Denied / rate-limited access events with their own `user_id`, and those of retired sessions.
    var accessCounts: [UserHour: Int64] = [:]
    var retired = RetiredTotals()
    var dedup = DedupIndex()
    /// Which frames hold each session's events (see ``FrameList``); written by the snapshot in its own tables.
    var frameIndex = FrameIndex()

    /// Watermark at which the next retention sweep runs.
    var nextSweepAt: Int64 = .min
    /// Sessions marked dirty since the last `takeChanges()` (may hold an id twice).
    var dirtySessionIDs: [String] = []
    var droppedSessionIDs: Set<String> = []
    /// Set by `suspendRetention()`: sessions are not retired (not persisted).
    var retentionSuspended = false
    /// The summed contributions of the live sessions as of their last refresh (not persisted: rebuilt on load).
    var live = LiveAggregates()
    /// When each refreshed session may pass retention (not persisted: rebuilt on load).
    var retentionQueue = RetentionQueue()
    /// Sessions out of memory (see `evictSettledSessions(idleMs:)`; not persisted: a restore reads every session).
    var evicted: [String: EvictedSession] = [:]
    /// Where evicted sessions come back from; set by the owner of the snapshot store.
    public var sessionReloader: SessionReloader?
    /// Set when an evicted session could not be read back (see `takeReloadFailure()`).
    var reloadFailure: String?
    /// Evicted sessions read back since this fold was made (not persisted).
    public internal(set) var reloadedSessionCount = 0

    public init(settings: FoldSettings) {
        self.settings = settings
        watermarkSummary = WatermarkSummary(quorum: settings.watermarkQuorum, window: settings.dedupWindowMs)
        errorGroups = ErrorGroups(limit: settings.errorGroupLimit)
    }

    /// The latest `ts` that `watermarkQuorum` folded events vouch for (see ``WatermarkSummary``);
    /// `nil` until there is one. Derived statuses, retention and dedup's memory are measured against it.
    public var watermark: Int64? { watermarkSummary.watermark }

    /// Counts `count` dead-lettered lines under their reason and (1.1) the field it was about.
    public mutating func recordInvalid(_ reason: InvalidReason, field: String? = nil, count: Int64 = 1) {
        invalidCounts[reason.index] &+= count
        if let field { invalidFieldCounts[field, default: 0] &+= count }
    }

    /// Counts `count` dead-lettered lines under the field their reason was about (their reasons
    /// counted apart, with `recordInvalid(_:field:count:)` and no field).
    public mutating func recordInvalidField(_ field: String, count: Int64) {
        invalidFieldCounts[field, default: 0] &+= count
    }

    /// Counts one dead-lettered line as the decoder described it.
    public mutating func recordInvalid(_ line: InvalidLine) {
        recordInvalid(line.reason, field: line.field)
    }

    /// Folds one valid event (or counts it as a duplicate).
    public mutating func fold(_ event: Event) {
        withUnsafePointer(to: event) { fold(at: $0) }
    }

    /// `fold(_:)` of the event at `event`, read in place: only the fields the fold keeps are
    /// copied (and retained), not the whole event.
    @inline(__always)
    mutating func fold(at event: UnsafePointer<Event>) {
        let timestamp = event.pointee.timestamp
        if let eventID = event.pointee.eventID {
            guard dedup.admit(eventID: eventID, timestamp: timestamp, window: settings.dedupWindowMs) else {
                duplicates &+= 1
                return
            }
        }
        if timestamp > watermarkSummary.threshold, watermarkSummary.insert(timestamp),
           let watermark = watermarkSummary.watermark, watermark >= nextSweepAt {
            sweepRetention()
        }
        events &+= 1
        if let sessionID = event.pointee.sessionID {
            let index = liveSessionIndex(sessionID, creatingAt: timestamp)
            sessions.states[index].observe(event)
            noteFrame(session: index)
            if !sessions.states[index].isDirty {
                sessions.states[index].isDirty = true
                dirtySessionIDs.append(sessionID)
            }
            contribute(event, session: index)
        } else {
            contribute(event, session: nil)
        }
    }

    /// Folds the events of `events` whose entry in `parts` is `part` (every event when `parts` is nil),
    /// reading them in place: no event is copied (see `fold(at:)`).
    ///
    /// Runs of `touchRun` events first touch their dedup slots, then fold: the table is far larger
    /// than the caches, and the misses of a run overlap where one event at a time would wait for each.
    public mutating func fold(_ events: UnsafeBufferPointer<Event>, parts: UnsafeBufferPointer<UInt8>?, part: UInt8) {
        guard let base = events.baseAddress else { return }
        if let parts { precondition(parts.count == events.count, "one part index per event") }
        var start = 0
        while start < events.count {
            let end = min(start &+ Self.touchRun, events.count)
            for index in start..<end where parts.map({ $0[index] == part }) ?? true {
                if let eventID = base[index].eventID { dedup.touch(eventID) }
            }
            for index in start..<end where parts.map({ $0[index] == part }) ?? true { fold(at: base + index) }
            start = end
        }
    }

    /// Events whose dedup slots are touched before they are folded (see `fold(_:parts:part:)`).
    private static let touchRun = 32

    /// The index of the live record of `sessionID`, retiring a record past retention and creating a new one.
    @inline(__always)
    mutating func liveSessionIndex(_ sessionID: String, creatingAt timestamp: Int64) -> Int {
        if let index = sessions.recentPosition(of: sessionID) ?? (evicted.isEmpty ? nil : reloadEvicted(sessionID)) {
            guard !retentionSuspended, let watermark,
                sessions.states[index].isPastRetention(watermark: watermark, settings: settings)
            else { return index }
            retire(sessionID)
        }
        return sessions.insert(SessionState(id: sessionID, timestamp: timestamp))
    }

    /// Adds the contributions of one event that are sums: counters, timeline, tool and model totals,
    /// the session's sums, messages and event alerts; and the session's choices of start, end and
    /// latest model. One switch over the payload (each switch copies it out of the event).
    @inline(__always)
    mutating func contribute(_ event: UnsafePointer<Event>, session: Int?) {
        let timestamp = event.pointee.timestamp
        switch event.pointee.payload {
        case .sessionStart:
            if let session { sessions.states[session].observeStart(timestamp: timestamp) }
        case .sessionEnd(let sessionEnd):
            if let session { sessions.states[session].observeEnd(timestamp: timestamp, sessionEnd) }
        case .message(let message):
            messages &+= 1
            timelineTotals[floorDivide(timestamp, millisecondsPerMinute), default: TimelineTotals()].messages &+= 1
            if let session {
                sessions.states[session].addMessage(timestamp: timestamp, role: message.role)
            }
        case .llmCall(let call):
            let cost = CallCost.nanos(for: call, at: timestamp, settings: settings)
            let failed = call.status != .success
            llmCalls &+= 1
            inputTokens.add(call.inputTokens)
            outputTokens.add(call.outputTokens)
            cachedInputTokens.add(call.cachedInputTokens)
            cacheWriteInputTokens.add(call.cacheWriteInputTokens)
            reasoningTokens.add(call.reasoningTokens)
            if failed {
                addErrorGroup(.llm, name: call.model, status: call.status, message: call.errorMessage,
                              timestamp: timestamp, sessionID: event.pointee.sessionID)
            }
            if let cost { costNanos.addSaturating(cost) } else { unpricedLLMCalls &+= 1 }
            updateTimeline(timestamp) { bucket in
                bucket.llmCalls &+= 1
                bucket.inputTokens.add(call.inputTokens)
                bucket.outputTokens.add(call.outputTokens)
                if let cost { bucket.costNanos.addSaturating(cost) }
                if failed { bucket.llmErrors &+= 1 }
            }
            modelTotals[call.model, default: ModelTotals()].add(call, costNanos: cost)
            if let session {
                sessions.states[session].observeModel(timestamp: timestamp, call.model)
                sessions.states[session].addLLMCall(call, costNanos: cost)
                if let alert = contextWindowAlert(call, timestamp: timestamp, userID: event.pointee.context.userID) {
                    sessions.states[session].addAlert(alert)
                }
            }
        case .toolCall(let call):
            toolCalls &+= 1
            updateTimeline(timestamp) { bucket in
                bucket.toolCalls &+= 1
                if call.status == .error { bucket.toolErrors &+= 1 }
            }
            toolTotals[call.toolName, default: ToolTotals()].add(call)
            if call.status != .success {
                addErrorGroup(.tool, name: call.toolName, status: call.status, message: call.errorMessage,
                              timestamp: timestamp, sessionID: event.pointee.sessionID)
            }
            if let session {
                sessions.states[session].addToolCall(call)
                if let ms = call.executionTimeMs, ms > settings.slowToolMs {
                    let alert = SessionState.EventAlert(
                        kind: .slowTool, timestamp: timestamp, value: Double(ms), threshold: Double(settings.slowToolMs),
                        detail: "tool \(call.toolName) took \(ms) ms", userID: event.pointee.context.userID)
                    sessions.states[session].addAlert(alert)
                }
            }
        case .access(let access):
            guard access.outcome != .allowed else { return }
            let hour = floorDivide(timestamp, millisecondsPerHour)
            if let userID = event.pointee.context.userID {
                accessCounts[UserHour(userID: userID, hour: hour), default: 0] &+= 1
            } else if let session {
                sessions.states[session].addAccessWithoutUser(hour: hour)
            }
        case .log(let log):
            if log.level == .error, let session { sessions.states[session].logErrors &+= 1 }
        case .feedback(let feedback):
            self.feedback.add(feedback)
            updateTimeline(timestamp) { $0.feedback.add(feedback) }
            if let session { sessions.states[session].feedback.add(feedback) }
        }
    }

    /// A failed call in its error group.
    private mutating func addErrorGroup(
        _ kind: ErrorGroupView.Kind, name: String, status: Event.CallStatus, message: String?, timestamp: Int64,
        sessionID: String?
    ) {
        let key = ErrorGroupKey(kind: kind, name: name, status: status == .timeout ? "timeout" : "error", rawMessage: message)
        errorGroups.add(key, ErrorGroupTotals(timestamp: timestamp, sessionID: sessionID))
    }

    @inline(__always)
    private mutating func updateTimeline(_ timestamp: Int64, _ update: (inout TimelineTotals) -> Void) {
        update(&timelineTotals[floorDivide(timestamp, millisecondsPerMinute), default: TimelineTotals()])
    }

    /// A `context_window` warning at the highest level `input_tokens / context_window` reaches (0.80, 0.90, 0.95).
    private func contextWindowAlert(_ call: Event.LLMCall, timestamp: Int64, userID: @autoclosure () -> String?) -> SessionState.EventAlert? {
        guard let window = call.contextWindow, window > 0, let input = call.inputTokens else { return nil }
        let scaledInput = Int128(input) * 100
        let level: Int
        if scaledInput >= Int128(window) * 95 {
            level = 95
        } else if scaledInput >= Int128(window) * 90 {
            level = 90
        } else if scaledInput >= Int128(window) * 80 {
            level = 80
        } else {
            return nil
        }
        return SessionState.EventAlert(
            kind: .contextWindow, timestamp: timestamp, value: Double(input) / Double(window),
            threshold: Double(level) / 100,
            detail: "\(call.model) call used \(input) of \(window) context tokens (over \(level) %)",
            userID: userID())
    }
}
