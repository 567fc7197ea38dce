import Hummingbird
import TallyCore

/// The dashboard (http.md, "Dashboard"): server-rendered pages from the same answers as the API.
struct Pages: Sendable {
    let answers: Answers
    /// The overview of each bucket width, kept with the answers it shows.
    let memo = PageMemo()

    func add(to router: Router<ServeContext>) {
        let pages = self
        router.get("/assets/app.css") { _, _ in Responses.text(Assets.stylesheet, contentType: "text/css; charset=utf-8") }
        router.get("/assets/app.js") { _, _ in Responses.text(Assets.script, contentType: "text/javascript; charset=utf-8") }
        router.get("/") { request, _ in await pages.render("Overview", "/", request) { try await pages.overview($0) } }
        router.get("/sessions") { request, _ in await pages.render("Sessions", "/sessions", request) { try await pages.sessions($0) } }
        router.get("/sessions/:id") { request, context in
            guard let id = APIRoutes.pathParameter(context, "id") else { return Responses.error(.badRequest, "the session id is not valid %-encoded UTF-8") }
            return await pages.render("Session \(id)", "/sessions", request) { try await pages.session(id, $0) }
        }
        router.get("/search") { request, _ in await pages.render("Search", "/search", request) { try await pages.search($0) } }
        for (path, title) in [("/tools", "Tools"), ("/models", "Models"), ("/users", "Users"), ("/alerts", "Alerts"), ("/errors", "Errors"), ("/invalid", "Invalid lines")] {
            router.get(RouterPath(path)) { request, _ in await pages.render(title, path, request) { try await pages.list(path, $0) } }
        }
    }

    /// Runs `body` with the page's parameters; a failed query becomes its status and the CLI's line.
    private func render(
        _ title: String, _ active: String, _ request: Request,
        _ body: ([(String, String)]) async throws -> (Int64, String, Bool)
    ) async -> Response {
        do {
            let parameters = try APIRoutes.options(request)
            let (generation, html, live) = try await body(parameters)
            return Responses.html(Layout.page(title, active: active, generation: generation, live: live, html))
        } catch {
            let failure = error as? QueryFailure ?? QueryFailure(.failed, "\(error)")
            return Responses.html(Layout.failure(title, active: active, failure), status: Responses.status(for: failure))
        }
    }

    func overview(_ parameters: [(String, String)]) async throws(QueryFailure) -> (Int64, String, Bool) {
        let bucket = parameters.last { $0.0 == "bucket" }?.1 ?? "1h"
        let requests = [
            QueryRequest("summary"), QueryRequest("timeline", options: [("bucket", bucket)]), QueryRequest("models"), QueryRequest("tools"),
        ]
        var generation: Int64 = 0
        var texts: [String] = []
        for request in requests {
            let (answered, text) = try await answers.text(request)
            if texts.isEmpty { generation = answered }
            texts.append(text)
        }
        if let html = memo.html("overview " + bucket, from: texts) { return (generation, html, true) }
        let values = try zip(requests, texts).map { (request, text) throws(QueryFailure) in try Answers.parse(text, of: request) }
        let html = overview(summary: values[0], timeline: values[1], models: values[2], tools: values[3], bucket: bucket)
        memo.keep(html, "overview " + bucket, from: texts)
        return (generation, html, true)
    }

    private func overview(summary: JSONValue, timeline: JSONValue, models: JSONValue, tools: JSONValue, bucket: String) -> String {
        func n(_ value: JSONValue?) -> Double { if case .number(let t)? = value { Double(t) ?? 0 } else { 0 } }
        let sessions = summary["sessions"]
        let llmErrors = items(models).reduce(0) { $0 + n($1["errors"]) }
        let toolErrors = items(tools).reduce(0) { $0 + n($1["error"]) + n($1["timeout"]) }
        let invalid: Double = if case .object(let fields)? = summary["invalid"] { fields.reduce(0) { $0 + n($1.value) } } else { 0 }
        var html = Layout.cards([
            ("Sessions", Human.cell(sessions?["total"], .count)),
            ("Active now", Human.cell(sessions?["ACTIVE"], .count)),
            ("Completed", Human.cell(sessions?["COMPLETED"], .count)),
            ("Failed", Human.cell(sessions?["FAILED"], .count)),
            ("Cancelled", Human.cell(sessions?["CANCELLED"], .count)),
            ("Timed out", Human.cell(sessions?["TIMEOUT"], .count)),
            ("Cost", Human.cell(summary["cost_usd"], .money)),
            ("Input", Human.cell(summary["input_tokens"], .tokens)),
            ("Output", Human.cell(summary["output_tokens"], .tokens)),
            ("Events", Human.cell(summary["events"], .count)),
            ("LLM error rate", n(summary["llm_calls"]) > 0 ? Human.percent(llmErrors / n(summary["llm_calls"])) : "–"),
            ("Tool error rate", n(summary["tool_calls"]) > 0 ? Human.percent(toolErrors / n(summary["tool_calls"])) : "–"),
            ("Invalid lines", "<a href=\"/invalid\">\(Human.count(Int64(invalid)))</a>"),
            ("Duplicates", Human.cell(summary["duplicates"], .count)),
            ("Watermark", Human.cell(summary["watermark"], .time)),
        ])
        let health = summary["health"]
        html += "<h2>Consumer health</h2>" + Layout.cards([
            ("Mode", Human.cell(health?["mode"], .text)),
            ("Lag", health?["lag_bytes"].map { Human.cell($0, .count) + " bytes" } ?? "–"),
            ("Oldest unfolded", Human.cell(health?["lag_oldest_ms"], .ms)),
            ("Events/s", Human.cell(health?["events_per_second"], .decimal)),
            ("Damaged frames", Human.cell(health?["damaged_frames"] ?? health?["damaged_frames_and_torn_tails"], .count)),
            ("Snapshot at", Human.cell(summary["snapshot_at"], .time)),
        ])
        let rows = Array(items(timeline).suffix(72))
        let buckets = ["1m", "5m", "1h", "1d"].map { b in
            b == bucket ? "<strong>\(b)</strong>" : "<a href=\"\(HTML.href("/", [("bucket", b)]))\">\(b)</a>"
        }.joined(separator: " · ")
        html += "<h2>Over time <small>(bucket: \(buckets); last \(rows.count) buckets)</small></h2><div class=\"charts\">"
        html += Charts.bars("Cost", rows, [("cost_usd", "cost", "bar")], kind: .money)
        html += Charts.bars("Tokens", rows, [("input_tokens", "input", "bar"), ("output_tokens", "output", "bar2")], kind: .tokens)
        html += Charts.bars("Sessions", rows, [("sessions_started", "started", "bar"), ("sessions_ended", "ended", "bar2")], kind: .count)
        html += Charts.bars("Errors", rows, [("llm_errors", "LLM", "err"), ("tool_errors", "tool", "bar2")], kind: .count)
        html += "</div>"
        return html
    }

    static let maxSessionsPerPage = 1_000

    func sessions(_ parameters: [(String, String)]) async throws(QueryFailure) -> (Int64, String, Bool) {
        let given = Dictionary(parameters, uniquingKeysWith: { $1 })
        var options = parameters.filter { !$0.1.isEmpty && $0.0 != "limit" }
        // A page lists at most 1,000 sessions (`limit=0` too) and pages on from there: every
        // session at once is for the API and the CLI, not for a browser tab.
        let asked = Int(given["limit"] ?? "") ?? 50
        let limit = asked <= 0 ? Self.maxSessionsPerPage : min(asked, Self.maxSessionsPerPage)
        options.append(("limit", String(limit)))
        let (generation, rows) = try await answers.value(QueryRequest("sessions", options: options))
        func field(_ name: String, _ label: String) -> String {
            "<label>\(label)<input name=\"\(name)\" value=\"\(HTML.escape(given[name] ?? ""))\"></label>"
        }
        func select(_ name: String, _ label: String, _ choices: [String]) -> String {
            "<label>\(label)<select name=\"\(name)\">" + ([""] + choices).map { choice in
                "<option value=\"\(choice)\"\(given[name] == choice ? " selected" : "")>\(choice.isEmpty ? "any" : choice)</option>"
            }.joined() + "</select></label>"
        }
        var html = "<form class=\"filters\" method=\"get\" action=\"/sessions\">"
        html += select("status", "Status", ["ACTIVE", "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT"])
        html += field("user", "User") + field("org", "Org") + field("project", "Project")
        html += field("since", "Started since") + field("until", "… until")
        html += select("sort", "Sort", ["started", "cost", "tokens", "duration", "last_activity"])
        html += "<button type=\"submit\">Show</button></form>"
        html += Layout.table(rows, [
            ("Session", "session_id", .text), ("Status", "status", .text), ("Started", "started_at", .time),
            ("Duration", "duration_ms", .ms), ("User", "user_id", .text), ("Org", "org_id", .text),
            ("Messages", "messages", .count), ("LLM calls", "llm_calls", .count), ("Tokens in", "input_tokens", .tokens),
            ("Tokens out", "output_tokens", .tokens), ("Cost", "cost_usd", .money), ("Tool errors", "tool_errors", .count),
            ("Last model", "last_model", .text),
        ], sessionColumn: "session_id")
        let offset = Int(given["offset"] ?? "") ?? 0
        let base = options.filter { $0.0 != "offset" }
        var pager = "<div class=\"pager\">"
        if offset > 0 { pager += "<a href=\"\(HTML.href("/sessions", base + [("offset", String(max(0, offset - limit)))]))\">← newer</a>" }
        if items(rows).count == limit, limit > 0 { pager += "<a href=\"\(HTML.href("/sessions", base + [("offset", String(offset + limit))]))\">older →</a>" }
        html += pager + "<span class=\"empty\">rows \(offset + 1)–\(offset + items(rows).count)</span></div>"
        return (generation, html, false)
    }

    func session(_ id: String, _ parameters: [(String, String)]) async throws(QueryFailure) -> (Int64, String, Bool) {
        let (generation, row) = try await answers.value(QueryRequest("session", arguments: [id]))
        let status = row["status"]?.stringValue ?? ""
        var html = "<p>Status <strong class=\"status-\(HTML.escape(status))\">\(HTML.escape(status))</strong>"
        html += " · user \(Human.cell(row["user_id"], .text)) · org \(Human.cell(row["org_id"], .text)) · project \(Human.cell(row["project_id"], .text))"
        html += " · started \(Human.cell(row["started_at"], .time)) · last activity \(Human.cell(row["last_activity_at"], .time))</p>"
        if let message = row["error_message"], !message.isNull { html += "<p class=\"error\">\(Human.cell(message, .text))</p>" }
        html += Layout.cards([
            ("Duration", Human.cell(row["duration_ms"], .ms)), ("Messages", Human.cell(row["messages"], .count)),
            ("LLM calls", Human.cell(row["llm_calls"], .count)), ("LLM errors", Human.cell(row["llm_errors"], .count)),
            ("Input", Human.cell(row["input_tokens"], .tokens)), ("Output", Human.cell(row["output_tokens"], .tokens)),
            ("Cost", Human.cell(row["cost_usd"], .money)), ("Tool calls", Human.cell(row["tool_calls"], .count)),
            ("Tool errors", Human.cell(row["tool_errors"], .count)), ("Avg response", Human.cell(row["avg_response_ms"], .ms)),
            ("Max response", Human.cell(row["max_response_ms"], .ms)), ("Last model", Human.cell(row["last_model"], .text)),
        ])
        html += "<h2>Context window</h2><div class=\"context\">"
        if case .number(let text)? = row["max_context_ratio"], let ratio = Double(text) {
            html += Charts.contextBar(ratio) + "<p>Highest use \(Human.cell(row["max_context_ratio"], .ratio)) of the model's window (marks at 80, 90 and 95 %).</p>"
        } else {
            html += "<p class=\"empty\">No call of this session names its context window.</p>"
        }
        html += "</div><h2>Models</h2>" + Layout.table(keyed(row["models"], "model"), [
            ("Model", "model", .text), ("Calls", "calls", .count), ("Input", "input_tokens", .tokens),
            ("Output", "output_tokens", .tokens), ("Cost", "cost_usd", .money),
        ])
        html += "<h2>Tools</h2>" + Layout.table(keyed(row["tools"], "tool"), [
            ("Tool", "tool", .text), ("Calls", "calls", .count), ("Errors", "errors", .count), ("Timeouts", "timeouts", .count),
        ])
        return (generation, html + (await transcript(id, parameters)), false)
    }

    /// The session's events (the first `limit`, default 1000, with a link to all of them); a
    /// failed read is said on the page, whose totals still stand.
    private func transcript(_ id: String, _ parameters: [(String, String)]) async -> String {
        let limit = parameters.last { $0.0 == "limit" }.flatMap { Int($0.1) } ?? 1000
        var options = parameters.filter { $0.0 == "type" && !$0.1.isEmpty }
        options += [("session", id), ("limit", String(limit))]
        do {
            let (_, rows) = try await answers.value(QueryRequest("events", options: options))
            var html = "<h2>Events</h2>" + Transcript.html(rows)
            if limit > 0, items(rows).count == limit {
                let all = HTML.href("/sessions/" + QueryString.encode(id), [("limit", "0")])
                html += "<p class=\"empty\">The first \(limit) events. <a href=\"\(all)\">Show all</a></p>"
            }
            return html
        } catch {
            return "<h2>Events</h2><p class=\"error\">\(HTML.escape(error.message))</p>"
        }
    }

    /// `tally query search` as a form and its results, each with the session it belongs to.
    func search(_ parameters: [(String, String)]) async throws(QueryFailure) -> (Int64, String, Bool) {
        let given = Dictionary(parameters, uniquingKeysWith: { $1 })
        func field(_ name: String, _ label: String) -> String {
            "<label>\(label)<input name=\"\(name)\" value=\"\(HTML.escape(given[name] ?? ""))\"></label>"
        }
        var html = "<form class=\"filters\" method=\"get\" action=\"/search\">" + field("q", "Text")
        html += field("session", "Session") + field("user", "User") + field("type", "Type")
        html += field("since", "Since") + field("until", "… until") + "<button type=\"submit\">Search</button></form>"
        let text = given["q"] ?? ""
        guard !text.isEmpty else {
            return (try await answers.value(QueryRequest("summary")).generation, html + "<p class=\"empty\">Message content, error messages, logs, feedback comments and tool parameters and results, without regard to ASCII case.</p>", false)
        }
        let options = parameters.filter { $0.0 != "q" && !$0.1.isEmpty }
        let (generation, rows) = try await answers.value(QueryRequest("search", arguments: [text], options: options))
        guard !items(rows).isEmpty else { return (generation, html + "<p class=\"empty\">No event contains that text.</p>", false) }
        html += "<div class=\"scroll\"><table><thead><tr><th>At</th><th>Session</th><th>Type</th><th>Field</th><th>Text</th></tr></thead><tbody>"
        for row in items(rows) {
            let key = row["field"]?.stringValue ?? ""
            let value = row["event"]?[key]
            html += "<tr><td>\(Human.cell(row["ts"], .time))</td><td>\(row["session_id"]?.stringValue.map(HTML.sessionLink) ?? "–")</td>"
            html += "<td>\(Human.cell(row["type"], .text))</td><td>\(HTML.escape(key))</td>"
            html += "<td>\(Self.snippet(value?.stringValue ?? value?.serialized() ?? "", around: text))</td></tr>"
        }
        return (generation, html + "</tbody></table></div>", false)
    }

    /// Up to 80 characters either side of the first match of `text` (ASCII case aside), the match marked.
    static func snippet(_ value: String, around text: String) -> String {
        let characters = Array(value)
        let needle = Array(text.lowercased())
        func folded(_ c: Character) -> Character { c.isASCII ? Character(c.lowercased()) : c }
        var at = 0
        if !needle.isEmpty, characters.count >= needle.count {
            at = (0...(characters.count - needle.count)).first { i in
                needle.indices.allSatisfy { folded(characters[i + $0]) == needle[$0] }
            } ?? 0
        }
        let end = min(characters.count, at + needle.count)
        let before = characters[max(0, at - 80)..<at], match = characters[at..<end], after = characters[end..<min(characters.count, end + 80)]
        return (at > 80 ? "…" : "") + HTML.escape(String(before)) + "<mark>" + HTML.escape(String(match)) + "</mark>"
            + HTML.escape(String(after)) + (end + 80 < characters.count ? "…" : "")
    }

    func list(_ path: String, _ parameters: [(String, String)]) async throws(QueryFailure) -> (Int64, String, Bool) {
        switch path {
        case "/tools":
            let (generation, rows) = try await answers.value(QueryRequest("tools", options: parameters))
            return (generation, Layout.table(rows, [
                ("Tool", "tool_name", .text), ("Calls", "calls", .count), ("Success", "success", .count), ("Errors", "error", .count),
                ("Timeouts", "timeout", .count), ("Success rate", "success_rate", .ratio), ("Avg", "avg_ms", .ms),
                ("p50", "p50_ms", .ms), ("p95", "p95_ms", .ms), ("p99", "p99_ms", .ms), ("Max", "max_ms", .ms),
            ]), false)
        case "/models":
            let (generation, rows) = try await answers.value(QueryRequest("models", options: parameters))
            return (generation, Layout.table(rows, [
                ("Model", "model", .text), ("Calls", "calls", .count), ("Errors", "errors", .count), ("Input", "input_tokens", .tokens),
                ("Output", "output_tokens", .tokens), ("Cost", "cost_usd", .money), ("Avg latency", "avg_latency_ms", .ms),
                ("p50", "p50_latency_ms", .ms), ("p95", "p95_latency_ms", .ms), ("p99", "p99_latency_ms", .ms),
                ("Avg TTFT", "avg_ttft_ms", .ms),
            ]), false)
        case "/users":
            let by = parameters.last { $0.0 == "by" }?.1 ?? "user"
            let (generation, rows) = try await answers.value(QueryRequest("users", options: parameters))
            let choices = ["user", "org", "project", "persona"].map { key in
                key == by ? "<strong>\(key)</strong>" : "<a href=\"\(HTML.href("/users", [("by", key)]))\">\(key)</a>"
            }.joined(separator: " · ")
            return (generation, "<p>By \(choices)</p>" + Layout.table(rows, [
                (by.prefix(1).uppercased() + by.dropFirst(), "key", .text), ("Sessions", "sessions", .count), ("LLM calls", "llm_calls", .count),
                ("Input", "input_tokens", .tokens), ("Output", "output_tokens", .tokens), ("Cost", "cost_usd", .money),
                ("Tool errors", "tool_errors", .count),
            ]), false)
        case "/alerts":
            let (generation, rows) = try await answers.value(QueryRequest("alerts", options: withLimit(parameters, 200)))
            return (generation, Layout.table(rows, [
                ("Kind", "kind", .text), ("Session", "session_id", .text), ("User", "user_id", .text), ("At", "ts", .time),
                ("Value", "value", .decimal), ("Threshold", "threshold", .decimal), ("Detail", "detail", .text),
            ], sessionColumn: "session_id"), false)
        case "/errors":
            let (generation, rows) = try await answers.value(QueryRequest("errors", options: parameters))
            return (generation, Layout.table(rows, [
                ("Kind", "kind", .text), ("Name", "name", .text), ("Status", "status", .text), ("Message", "message", .text),
                ("Count", "count", .count), ("First", "first_ts", .time), ("Last", "last_ts", .time), ("Session", "session_id", .text),
            ], sessionColumn: "session_id"), false)
        default:
            let (generation, rows) = try await answers.value(QueryRequest("invalid", options: withLimit(parameters, 200)))
            return (generation, Layout.table(rows, [
                ("Reason", "reason", .text), ("Field", "field", .text), ("Source", "source", .text), ("Offset", "offset", .count),
                ("Line", "line", .text),
            ]), false)
        }
    }

    private func withLimit(_ parameters: [(String, String)], _ limit: Int) -> [(String, String)] {
        parameters.contains { $0.0 == "limit" } ? parameters : parameters + [("limit", String(limit))]
    }

    /// `{"name": {…}}` as rows with the name under `key`.
    private func keyed(_ value: JSONValue?, _ key: String) -> JSONValue {
        guard case .object(let fields)? = value else { return .array([]) }
        return .array(fields.map { field in
            guard case .object(let inner) = field.value else { return .object([(key, .string(field.key))]) }
            return .object([JSONValue.Field(key: key, value: .string(field.key))] + inner)
        })
    }

    private func items(_ value: JSONValue) -> [JSONValue] {
        if case .array(let items) = value { return items }
        return []
    }
}
