/// The columns of each subject's `table` output: they fit 80 columns, json and csv carry every field.
extension SnapshotReader {
    static let sessionColumns = [
        TableColumn(header: "SESSION_ID", rightAligned: false, shrinkable: true) { $0.text("session_id") },
        TableColumn(header: "STATUS", rightAligned: false) { $0.text("status") },
        TableColumn(header: "STARTED_AT", rightAligned: false) { $0.time("started_at") },
        TableColumn(header: "DURATION", rightAligned: true) { $0.duration("duration_ms") },
        TableColumn(header: "LLM", rightAligned: true) { $0.text("llm_calls") },
        TableColumn(header: "TOKENS", rightAligned: true) { $0.sum("input_tokens", "output_tokens") },
        TableColumn(header: "COST_USD", rightAligned: true) { $0.text("cost_usd") },
    ]

    static let toolColumns = [
        TableColumn(header: "TOOL", rightAligned: false, shrinkable: true) { $0.text("tool_name") },
        TableColumn(header: "CALLS", rightAligned: true) { $0.text("calls") },
        TableColumn(header: "ERROR", rightAligned: true) { $0.text("error") },
        TableColumn(header: "TIMEOUT", rightAligned: true) { $0.text("timeout") },
        TableColumn(header: "SUCCESS", rightAligned: true) { $0.decimal("success_rate", 3) },
        TableColumn(header: "AVG_MS", rightAligned: true) { $0.decimal("avg_ms", 1) },
        TableColumn(header: "P50_MS", rightAligned: true) { $0.text("p50_ms") },
        TableColumn(header: "P95_MS", rightAligned: true) { $0.text("p95_ms") },
        TableColumn(header: "MAX_MS", rightAligned: true) { $0.text("max_ms") },
    ]

    static let modelColumns = [
        TableColumn(header: "MODEL", rightAligned: false, shrinkable: true) { $0.text("model") },
        TableColumn(header: "CALLS", rightAligned: true) { $0.text("calls") },
        TableColumn(header: "ERRORS", rightAligned: true) { $0.text("errors") },
        TableColumn(header: "TOKENS", rightAligned: true) { $0.sum("input_tokens", "output_tokens") },
        TableColumn(header: "COST_USD", rightAligned: true) { $0.text("cost_usd") },
        TableColumn(header: "P50_MS", rightAligned: true) { $0.text("p50_latency_ms") },
        TableColumn(header: "P95_MS", rightAligned: true) { $0.text("p95_latency_ms") },
        TableColumn(header: "TTFT_MS", rightAligned: true) { $0.decimal("avg_ttft_ms", 1) },
    ]

    static let rollupColumns = [
        TableColumn(header: "KEY", rightAligned: false, shrinkable: true) { $0.text("key") },
        TableColumn(header: "SESSIONS", rightAligned: true) { $0.text("sessions") },
        TableColumn(header: "LLM", rightAligned: true) { $0.text("llm_calls") },
        TableColumn(header: "TOKENS", rightAligned: true) { $0.sum("input_tokens", "output_tokens") },
        TableColumn(header: "COST_USD", rightAligned: true) { $0.text("cost_usd") },
        TableColumn(header: "TOOL_ERR", rightAligned: true) { $0.text("tool_errors") },
        TableColumn(header: "SUCCESS", rightAligned: true) { $0.decimal("success_rate", 3) },
    ]

    static let errorColumns = [
        TableColumn(header: "KIND", rightAligned: false) { $0.text("kind") },
        TableColumn(header: "NAME", rightAligned: false) { $0.text("name") },
        TableColumn(header: "STATUS", rightAligned: false) { $0.text("status") },
        TableColumn(header: "COUNT", rightAligned: true) { $0.text("count") },
        TableColumn(header: "LAST_TS", rightAligned: false) { $0.time("last_ts") },
        TableColumn(header: "MESSAGE", rightAligned: false, shrinkable: true) { $0.text("message") },
    ]

    static let timelineColumns = [
        TableColumn(header: "BUCKET_START", rightAligned: false) { $0.time("bucket_start") },
        TableColumn(header: "START", rightAligned: true) { $0.text("sessions_started") },
        TableColumn(header: "END", rightAligned: true) { $0.text("sessions_ended") },
        TableColumn(header: "MSGS", rightAligned: true) { $0.text("messages") },
        TableColumn(header: "LLM", rightAligned: true) { $0.text("llm_calls") },
        TableColumn(header: "TOKENS", rightAligned: true) { $0.sum("input_tokens", "output_tokens") },
        TableColumn(header: "COST_USD", rightAligned: true) { $0.text("cost_usd") },
        TableColumn(header: "TOOL_ERR", rightAligned: true) { $0.text("tool_errors") },
        TableColumn(header: "LLM_ERR", rightAligned: true) { $0.text("llm_errors") },
    ]

    static let alertColumns = [
        TableColumn(header: "TS", rightAligned: false) { $0.time("ts") },
        TableColumn(header: "KIND", rightAligned: false) { $0.text("kind") },
        TableColumn(header: "SESSION_ID", rightAligned: false) { $0.text("session_id") },
        TableColumn(header: "VALUE", rightAligned: true) { $0.decimal("value", 2) },
        TableColumn(header: "DETAIL", rightAligned: false, shrinkable: true) { $0.text("detail") },
    ]

    static let invalidColumns = [
        TableColumn(header: "SOURCE", rightAligned: false) { $0.text("source") },
        TableColumn(header: "OFFSET", rightAligned: true) { $0.text("offset") },
        TableColumn(header: "REASON", rightAligned: false) { $0.text("reason") },
        TableColumn(header: "FIELD", rightAligned: false) { $0.text("field") },
        TableColumn(header: "DETAIL", rightAligned: false, shrinkable: true) { $0.text("detail") },
    ]
}
