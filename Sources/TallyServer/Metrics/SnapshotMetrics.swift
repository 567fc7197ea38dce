import TallyCore
import TallySnapshot

/// `/metrics` from a snapshot's `summary`, `models` and `tools` answers (http.md's families).
///
/// Written by hand rather than with swift-prometheus: its counters, gauges and summaries hold
/// values that this process increments and observes, while every value here is a total or a
/// quantile the fold already computed and a snapshot carries; re-observing them would be wrong
/// (a summary's quantiles would be of the quantiles) and resetting counters per scrape is not
/// its model. Counters are the snapshot's running totals, so `rate()` works across scrapes.
enum SnapshotMetrics {
    static func render(generation: Int64, summary: JSONValue, models: JSONValue, tools: JSONValue) -> String {
        var out = Exposition()
        out.family("tally_events_total", .counter, "Valid events folded (duplicates not counted).")
        out.sample("tally_events_total", value: number(summary["events"]))
        out.family("tally_duplicates_total", .counter, "Events folded once more than once (same event_id).")
        out.sample("tally_duplicates_total", value: number(summary["duplicates"]))
        out.family("tally_invalid_lines_total", .counter, "Dead-lettered lines by reason.")
        for (reason, count) in fields(summary["invalid"]) { out.sample("tally_invalid_lines_total", [("reason", reason)], value: number(count)) }

        out.family("tally_llm_calls_total", .counter, "LLM calls by model; status error counts errors and timeouts.")
        for model in items(models) {
            let name = model["model"]?.stringValue ?? ""
            let calls = model["calls"]?.int64Value ?? 0, errors = model["errors"]?.int64Value ?? 0
            out.sample("tally_llm_calls_total", [("model", name), ("status", "ok")], value: String(calls - errors))
            out.sample("tally_llm_calls_total", [("model", name), ("status", "error")], value: String(errors))
        }
        out.family("tally_llm_tokens_total", .counter, "LLM tokens by model and type.")
        let tokenTypes = [("input", "input_tokens"), ("output", "output_tokens"), ("cached_input", "cached_input_tokens"),
                          ("cache_write_input", "cache_write_input_tokens"), ("reasoning", "reasoning_tokens")]
        for model in items(models) {
            let name = model["model"]?.stringValue ?? ""
            for (type, field) in tokenTypes {
                guard let value = model[field], !value.isNull else { continue }
                out.sample("tally_llm_tokens_total", [("model", name), ("type", type)], value: number(value))
            }
        }
        out.family("tally_llm_cost_usd_total", .counter, "LLM cost in USD by model (priced calls).")
        for model in items(models) {
            out.sample("tally_llm_cost_usd_total", [("model", model["model"]?.stringValue ?? "")], value: number(model["cost_usd"]))
        }
        out.family("tally_tool_calls_total", .counter, "Tool calls by tool and status.")
        for tool in items(tools) {
            let name = tool["tool_name"]?.stringValue ?? ""
            for status in ["success", "error", "timeout"] {
                out.sample("tally_tool_calls_total", [("tool", name), ("status", status)], value: number(tool[status]))
            }
        }
        out.family("tally_sessions_started_total", .counter, "Sessions seen.")
        out.sample("tally_sessions_started_total", value: number(summary["sessions"]?["total"]))

        out.family("tally_sessions", .gauge, "Sessions by status at the snapshot's watermark.")
        for (status, count) in fields(summary["sessions"]) where status != "total" {
            out.sample("tally_sessions", [("status", status)], value: number(count))
        }
        out.family("tally_snapshot_generation", .gauge, "Generation of the snapshot served.")
        out.sample("tally_snapshot_generation", value: String(generation))
        if let watermark = summary["watermark"]?.stringValue, let ms = Timestamp.parse(watermark) {
            out.family("tally_watermark_seconds", .gauge, "Event-time watermark, Unix seconds.")
            out.sample("tally_watermark_seconds", value: seconds(ms))
        }
        let health = summary["health"]
        if let lag = health?["lag_bytes"], !lag.isNull {
            out.family("tally_lag_bytes", .gauge, "Spool bytes not yet folded.")
            out.sample("tally_lag_bytes", value: number(lag))
        }
        if let lag = health?["lag_bytes"], !lag.isNull {
            // `null` without lag: nothing is waiting, 0 s.
            out.family("tally_lag_oldest_seconds", .gauge, "Age of the oldest unfolded spool byte, seconds (0 without lag).")
            out.sample("tally_lag_oldest_seconds", value: seconds(health?["lag_oldest_ms"]?.int64Value ?? 0))
        }

        out.family("tally_llm_latency_seconds", .summary, "LLM call latency by model.")
        for model in items(models) {
            quantiles(&out, "tally_llm_latency_seconds", ("model", model["model"]?.stringValue ?? ""), model,
                      ["p50_latency_ms", "p95_latency_ms", "p99_latency_ms"], average: "avg_latency_ms", count: "calls")
        }
        out.family("tally_tool_execution_seconds", .summary, "Tool execution time by tool.")
        for tool in items(tools) {
            quantiles(&out, "tally_tool_execution_seconds", ("tool", tool["tool_name"]?.stringValue ?? ""), tool,
                      ["p50_ms", "p95_ms", "p99_ms"], average: "avg_ms", count: "calls")
        }
        return out.text
    }

    private static func quantiles(
        _ out: inout Exposition, _ name: String, _ label: (String, String), _ row: JSONValue, _ fields: [String],
        average: String, count: String
    ) {
        for (quantile, field) in zip(["0.5", "0.95", "0.99"], fields) {
            guard let ms = row[field].flatMap(double) else { continue }
            out.sample(name, [label, ("quantile", quantile)], value: (ms / 1000).description)
        }
        let calls = row[count]?.int64Value ?? 0
        let mean = row[average].flatMap(double) ?? 0
        out.sample(name + "_sum", [label], value: (mean * Double(calls) / 1000).description)
        out.sample(name + "_count", [label], value: String(calls))
    }

    private static func items(_ value: JSONValue) -> [JSONValue] {
        if case .array(let items) = value { return items }
        return []
    }

    private static func fields(_ value: JSONValue?) -> [(String, JSONValue)] {
        guard case .object(let fields)? = value else { return [] }
        return fields.map { ($0.key, $0.value) }
    }

    private static func double(_ value: JSONValue) -> Double? {
        if case .number(let text) = value { return Double(text) }
        return nil
    }

    /// A JSON number as the sample's value; absent is 0.
    private static func number(_ value: JSONValue?) -> String {
        if case .number(let text)? = value { return text }
        return "0"
    }

    private static func seconds(_ ms: Int64) -> String {
        let whole = ms / 1000, fraction = abs(ms % 1000)
        let digits = String(fraction)
        return "\(ms < 0 && whole == 0 ? "-" : "")\(whole).\(String(repeating: "0", count: 3 - digits.count))\(digits)"
    }
}
