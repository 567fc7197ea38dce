import TallyCore

/// The query output of each view, field names and order as in shared/spec/cli.md.
enum Records {
    static let summaryFields = [
        "events", "duplicates", "invalid", "sessions", "messages", "llm_calls", "tool_calls", "input_tokens",
        "output_tokens", "cost_usd", "unpriced_llm_calls", "watermark", "snapshot_at",
        "cached_input_tokens", "cache_write_input_tokens", "reasoning_tokens", "feedback", "ratings", "avg_rating",
        "sentiment", "invalid_fields",
    ]

    static func summary(_ view: SummaryView, snapshotAt: Int64) -> JSONValue {
        let invalid = view.invalid.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.int($0.value)) }
        let statuses = ["total"] + SessionStatus.allCases.map(\.rawValue)
        let sessions = statuses.map { ($0, JSONValue.int(view.sessions[$0] ?? 0)) }
        // An overflowed total is written as null and named under `overflow` (absent while none is).
        func total(_ name: String, _ value: JSONValue) -> JSONValue { view.overflowedTotals.contains(name) ? .null : value }
        let overflow: [(String, JSONValue)] = view.overflowedTotals.isEmpty
            ? [] : [("overflow", .array(view.overflowedTotals.map { .string($0) }))]
        return .object([
            ("events", .int(view.events)),
            ("duplicates", .int(view.duplicates)),
            ("invalid", .object(invalid)),
            ("sessions", .object(sessions)),
            ("messages", .int(view.messages)),
            ("llm_calls", .int(view.llmCalls)),
            ("tool_calls", .int(view.toolCalls)),
            ("input_tokens", total("input_tokens", .int(view.inputTokens))),
            ("output_tokens", total("output_tokens", .int(view.outputTokens))),
            ("cost_usd", total("cost_usd", .money(view.costNanos))),
            ("unpriced_llm_calls", .int(view.unpricedLLMCalls)),
            ("watermark", .time(view.watermark)),
            ("snapshot_at", .time(snapshotAt)),
            ("cached_input_tokens", total("input_tokens", .int(view.cachedInputTokens))),
            ("cache_write_input_tokens", total("input_tokens", .int(view.cacheWriteInputTokens))),
            ("reasoning_tokens", total("output_tokens", .int(view.reasoningTokens))),
            ("feedback", .int(view.feedback)),
            ("ratings", .int(view.ratings)),
            ("avg_rating", .double(view.averageRating)),
            ("sentiment", .object(["positive", "neutral", "negative"].map { ($0, JSONValue.int(view.sentiment[$0] ?? 0)) })),
            ("invalid_fields", .object(view.invalidFields.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.int($0.value)) })),
        ] + overflow)
    }

    /// The overflowed totals among those `query` shows, named in a summary that ``summary(_:snapshotAt:)`` wrote.
    static func overflowedTotals(in summary: JSONValue, shownBy query: SnapshotQuery) -> [String] {
        guard case .array(let names)? = summary["overflow"] else { return [] }
        let shown: Set<String> = switch query.subject {
        case .summary, .session, .models, .rollups, .timeline: ["input_tokens", "output_tokens", "cost_usd"]
        case .sessions: query.order == .tokens
            ? ["input_tokens", "output_tokens", "cost_usd", "total_tokens"] : ["input_tokens", "output_tokens", "cost_usd"]
        case .tools, .alerts, .invalid, .errors: []
        }
        return names.compactMap(\.stringValue).filter(shown.contains)
    }

    static let sessionFields = [
        "session_id", "status", "started_at", "ended_at", "last_activity_at", "duration_ms", "conversation_id",
        "user_id", "org_id", "project_id", "persona_id", "messages", "user_messages", "assistant_messages",
        "llm_calls", "llm_errors", "input_tokens", "output_tokens", "cost_usd", "unpriced_llm_calls",
        "tool_calls", "tool_errors", "tool_timeouts", "avg_response_ms", "max_response_ms", "last_model",
        "error_message", "cached_input_tokens", "cache_write_input_tokens", "reasoning_tokens", "feedback", "ratings",
        "avg_rating", "positive_feedback", "negative_feedback", "log_errors", "max_context_ratio",
    ]

    /// The values of ``sessionFields`` for one session as seen at `watermark`.
    static func session(_ row: SessionRow, watermark: Int64?, inactivityTimeoutMs: Int64) -> [JSONValue] {
        let watermark = watermark ?? row.lastActivityAt
        return [
            .string(row.sessionID),
            .string(row.status(watermark: watermark, inactivityTimeoutMs: inactivityTimeoutMs).rawValue),
            .time(row.startedAt),
            .time(row.endedAt(watermark: watermark, inactivityTimeoutMs: inactivityTimeoutMs)),
            .time(row.lastActivityAt),
            .int(row.durationMs(watermark: watermark, inactivityTimeoutMs: inactivityTimeoutMs)),
            .text(row.conversationID), .text(row.userID), .text(row.orgID), .text(row.projectID), .text(row.personaID),
            .int(row.messages), .int(row.userMessages), .int(row.assistantMessages),
            .int(row.llmCalls), .int(row.llmErrors), .int(row.inputTokens), .int(row.outputTokens),
            .money(row.costNanos), .int(row.unpricedLLMCalls),
            .int(row.toolCalls), .int(row.toolErrors), .int(row.toolTimeouts),
            .double(row.averageResponseMs), .int(row.maxResponseMs), .text(row.lastModel), .text(row.errorMessage),
            .int(row.cachedInputTokens), .int(row.cacheWriteInputTokens), .int(row.reasoningTokens),
            .int(row.feedback), .int(row.ratings), .double(row.averageRating), .int(row.positiveFeedback),
            .int(row.negativeFeedback), .int(row.logErrors), .double(row.maxContextRatio),
        ]
    }

    /// `items` in the order of their names: as given when already in order (a fold's rows are),
    /// otherwise sorted.
    private static func inOrder<Item>(_ items: [Item], by name: (Item) -> String) -> [Item] {
        for index in items.indices.dropFirst() where name(items[index - 1]) > name(items[index]) {
            return items.sorted { name($0) < name($1) }
        }
        return items
    }

    /// `models` of `query session ID`: model → calls, input_tokens, output_tokens, cost_usd (the
    /// `models_json` of a session row), written into `json`.
    static func writeSessionModels(_ models: [SessionModelUsage], to json: inout JSONBytes) {
        writeByName(models, by: \.model, to: &json) { usage, json in
            json.append(#""calls":"#)
            json.appendInteger(usage.calls)
            json.append(#","input_tokens":"#)
            json.appendInteger(usage.inputTokens)
            json.append(#","output_tokens":"#)
            json.appendInteger(usage.outputTokens)
            json.append(#","cost_usd":"#)
            json.appendMoney(nanos: usage.costNanos)
        }
    }

    /// `tools` of `query session ID`: tool name → calls, errors, timeouts (the `tools_json` of a
    /// session row), written into `json`.
    static func writeSessionTools(_ tools: [SessionToolUsage], to json: inout JSONBytes) {
        writeByName(tools, by: \.toolName, to: &json) { usage, json in
            json.append(#""calls":"#)
            json.appendInteger(usage.calls)
            json.append(#","errors":"#)
            json.appendInteger(usage.errors)
            json.append(#","timeouts":"#)
            json.appendInteger(usage.timeouts)
        }
    }

    /// `{"NAME":{FIELDS},…}` in name order; `fields` writes one item's members.
    private static func writeByName<Item>(
        _ items: [Item], by name: (Item) -> String, to json: inout JSONBytes, fields: (Item, inout JSONBytes) -> Void
    ) {
        json.append("{")
        for (index, item) in inOrder(items, by: name).enumerated() {
            if index > 0 { json.append(",") }
            json.appendString(name(item))
            json.append(":{")
            fields(item, &json)
            json.append("}")
        }
        json.append("}")
    }

    static let toolFields = [
        "tool_name", "calls", "success", "error", "timeout", "success_rate", "avg_ms", "p50_ms", "p95_ms", "p99_ms",
        "max_ms",
    ]

    /// Tools by calls (descending), then name.
    static func tools(_ views: [ToolView]) -> JSONValue {
        .array(views.sorted { ($0.calls, $1.toolName) > ($1.calls, $0.toolName) }.map { tool in
            .object([
                ("tool_name", .string(tool.toolName)), ("calls", .int(tool.calls)), ("success", .int(tool.success)),
                ("error", .int(tool.error)), ("timeout", .int(tool.timeout)), ("success_rate", .double(tool.successRate)),
                ("avg_ms", .double(tool.avgMs)), ("p50_ms", .int(tool.p50Ms)), ("p95_ms", .int(tool.p95Ms)),
                ("p99_ms", .int(tool.p99Ms)), ("max_ms", .int(tool.maxMs)),
            ])
        })
    }

    static let modelFields = [
        "model", "calls", "errors", "input_tokens", "output_tokens", "cost_usd", "avg_latency_ms", "p50_latency_ms",
        "p95_latency_ms", "p99_latency_ms", "avg_ttft_ms", "unpriced_calls", "cached_input_tokens",
        "cache_write_input_tokens", "reasoning_tokens",
    ]

    /// Models by calls (descending), then name.
    static func models(_ views: [ModelView]) -> JSONValue {
        .array(views.sorted { ($0.calls, $1.model) > ($1.calls, $0.model) }.map { model in
            .object([
                ("model", .string(model.model)), ("calls", .int(model.calls)), ("errors", .int(model.errors)),
                ("input_tokens", .int(model.inputTokens)), ("output_tokens", .int(model.outputTokens)),
                ("cost_usd", .money(model.costNanos)), ("avg_latency_ms", .double(model.avgLatencyMs)),
                ("p50_latency_ms", .int(model.p50LatencyMs)), ("p95_latency_ms", .int(model.p95LatencyMs)),
                ("p99_latency_ms", .int(model.p99LatencyMs)), ("avg_ttft_ms", .double(model.avgTTFTMs)),
                ("unpriced_calls", .int(model.unpricedCalls)),
                ("cached_input_tokens", .int(model.cachedInputTokens)),
                ("cache_write_input_tokens", .int(model.cacheWriteInputTokens)),
                ("reasoning_tokens", .int(model.reasoningTokens)),
            ])
        })
    }

    static let rollupFields = [
        "key", "sessions", "llm_calls", "input_tokens", "output_tokens", "cost_usd", "tool_errors",
        "active", "completed", "failed", "cancelled", "timeout", "success_rate", "avg_response_ms", "feedback",
        "avg_rating", "negative_feedback",
    ]

    static let timelineFields = [
        "bucket_start", "sessions_started", "sessions_ended", "messages", "llm_calls", "input_tokens",
        "output_tokens", "cost_usd", "tool_calls", "tool_errors", "llm_errors", "feedback", "negative_feedback",
    ]

    static let errorFields = ["kind", "name", "status", "message", "count", "first_ts", "last_ts", "session_id"]

    /// Error groups as the fold orders them (largest first).
    static func errors(_ views: [ErrorGroupView]) -> JSONValue {
        .array(views.map { group in
            .object([
                ("kind", .string(group.kind.rawValue)), ("name", .text(group.name)), ("status", .text(group.status)),
                ("message", .text(group.message)), ("count", .int(group.count)),
                ("first_ts", .time(group.firstTimestamp)), ("last_ts", .time(group.lastTimestamp)),
                ("session_id", .text(group.sessionID)),
            ])
        })
    }

    static let alertFields = ["kind", "session_id", "user_id", "ts", "value", "threshold", "detail"]
}
