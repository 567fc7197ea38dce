import TallyCore

/// A session's events as a person reads them (http.md, the session page): one card an event in
/// `ts` order, with who or what and its substance; a tool call's parameters and result fold open
/// on demand (`<details>`, no script needed). Every text from an event goes through
/// ``HTML/escape(_:)``.
enum Transcript {
    /// The cards of `rows`, the rows of `tally query events --format json`.
    static func html(_ rows: JSONValue) -> String {
        guard case .array(let items) = rows, !items.isEmpty else {
            return "<p class=\"empty\">No events of this session can be read from the spool (see the server's log of `tally query events`).</p>"
        }
        return "<div class=\"transcript\">" + items.map(card).joined() + "</div>"
    }

    /// One event: its card's classes, a line of meta (time, kind, figures) and its text.
    static func card(_ row: JSONValue) -> String {
        let event = row["event"] ?? .null
        let time = Human.cell(row["ts"], .time)
        func text(_ key: String) -> String? { event[key]?.stringValue }
        func escaped(_ key: String) -> String? { text(key).map(HTML.escape) }
        func pieces(_ parts: [String?]) -> String { parts.compactMap { $0 }.joined(separator: " · ") }
        let failed = ["error", "timeout"].contains(text("status") ?? "")
        var classes = ["ev"]
        var meta: [String?] = [time]
        var body = ""
        switch row["type"]?.stringValue ?? "" {
        case "message":
            let role = text("role") ?? "?"
            classes.append(role == "user" ? "user" : role == "assistant" ? "assistant" : "system")
            meta += [HTML.escape(role), event["turn"].flatMap { $0.isNull ? nil : "turn " + Human.cell($0, .count) }]
            body = escaped("content") ?? "<span class=\"empty\">(no content)</span>"
        case "llm_call":
            classes.append(failed ? "bad" : "llm")
            meta += ["model call", escaped("model"), escaped("provider")]
            body = pieces([
                tokens(event),
                row["cost_usd"].map { $0.isNull ? "unpriced" : Human.cell($0, .money) },
                figure(event["latency_ms"], "latency"), figure(event["ttft_ms"], "first token"),
                failed ? "<span class=\"error\">\(escaped("status") ?? "")</span>" : nil,
                escaped("error_message"),
            ])
        case "tool_call":
            classes.append(failed ? "bad" : "tool")
            meta += ["tool"]
            let summary = pieces([
                "<strong>\(escaped("tool_name") ?? "?")</strong>",
                failed ? "<span class=\"error\">\(escaped("status") ?? "")</span>" : escaped("status"),
                figure(event["execution_time_ms"], nil), escaped("error_message"),
            ])
            body = "<details><summary>\(summary)</summary>"
                + "<div class=\"meta\">Parameters</div><pre>\(json(event["parameters"]))</pre>"
                + "<div class=\"meta\">Result</div><pre>\(json(event["result"]))</pre></details>"
        case "log":
            if text("level") == "error" { classes.append("bad") }
            meta += ["log", escaped("level"), event["process_id"].flatMap { $0.isNull ? nil : "process " + HTML.escape($0.stringValue ?? $0.serialized()) }]
            body = escaped("message") ?? ""
        case "feedback":
            meta += ["feedback"]
            body = pieces([event["rating"].flatMap { $0.isNull ? nil : "rating " + Human.cell($0, .decimal) }, escaped("sentiment"), escaped("comment")])
        case "session_start":
            meta += ["session started"]
        case "session_end":
            if text("status") != "completed" { classes.append("bad") }
            meta += ["session ended", escaped("status")]
            body = escaped("error_message") ?? ""
        case let other:
            meta += [HTML.escape(other), escaped("outcome"), escaped("ip_address")]
        }
        return "<div class=\"\(classes.joined(separator: " "))\"><div class=\"meta\">\(pieces(meta))</div>"
            + (body.isEmpty ? "" : "<div class=\"text\">\(body)</div>") + "</div>"
    }

    /// `1.2 k → 340 tokens`, from whichever counts the call gives.
    private static func tokens(_ event: JSONValue) -> String? {
        let input = event["input_tokens"]?.int64Value, output = event["output_tokens"]?.int64Value
        guard input != nil || output != nil else { return nil }
        return (input.map { Human.tokens($0) } ?? "?") + " in → " + (output.map { Human.tokens($0) } ?? "?") + " out"
    }

    /// A duration field, with its label.
    private static func figure(_ value: JSONValue?, _ label: String?) -> String? {
        guard let value, !value.isNull else { return nil }
        return (label.map { $0 + " " } ?? "") + Human.cell(value, .ms)
    }

    /// Any JSON as its text, escaped; absent: a dash.
    private static func json(_ value: JSONValue?) -> String {
        guard let value, !value.isNull else { return "–" }
        return HTML.escape(value.stringValue ?? value.serialized())
    }
}
