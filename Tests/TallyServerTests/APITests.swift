import Foundation
import Testing

/// The JSON API against a real `tally serve` over a replay of SampleLogs/ (plus hostile lines).
@Suite(.serialized) struct APITests {
    static let hostile = [
        #"{"type":"session_start","ts":"2025-10-23T00:00:00.000Z","session_id":"sess_hostile","user_id":"<script>alert(1)</script>\"'\u0007x","org_id":"org_\"quote"}"#,
        #"{"type":"message","ts":"2025-10-23T00:00:01.000Z","session_id":"sess_hostile","user_id":"<script>alert(1)</script>\"'\u0007x","role":"user","content":"<script>alert(3)</script>\u0001"}"#,
        #"{"type":"tool_call","ts":"2025-10-23T00:00:02.000Z","session_id":"sess_hostile","tool_name":"<img src=x onerror=alert(2)>\"\u001b[31m","status":"error","execution_time_ms":5,"error_message":"<b>bold</b>"}"#,
    ]

    /// Every subject and a few filters: the body is exactly `tally query --format json`'s.
    @Test func everyEndpointAnswersWithTheQueryCommandsBytes() throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        try scratch.replaySampleLogs(extra: Self.hostile)
        let server = try RunningServer(snapshot: scratch.snapshots, log: scratch.path + "/serve.log")
        defer { server.stop() }
        let cases: [(String, [String])] = [
            ("/api/v1/sessions", ["sessions"]),
            ("/api/v1/sessions?status=FAILED&sort=cost&limit=20", ["sessions", "--status", "FAILED", "--sort", "cost", "--limit", "20"]),
            ("/api/v1/sessions?limit=0", ["sessions", "--limit", "0"]),
            ("/api/v1/sessions?offset=10&limit=5&sort=tokens", ["sessions", "--offset", "10", "--limit", "5", "--sort", "tokens"]),
            ("/api/v1/sessions/sess_hostile", ["session", "sess_hostile"]),
            ("/api/v1/tools", ["tools"]),
            ("/api/v1/models", ["models"]),
            ("/api/v1/timeline", ["timeline"]),
            ("/api/v1/timeline?bucket=5m", ["timeline", "--bucket", "5m"]),
            ("/api/v1/alerts", ["alerts"]),
            ("/api/v1/alerts?kind=slow_tool&limit=3", ["alerts", "--kind", "slow_tool", "--limit", "3"]),
            ("/api/v1/invalid", ["invalid"]),
            ("/api/v1/users", ["users"]),
            ("/api/v1/users?by=org", ["users", "--by", "org"]),
            ("/api/v1/users?by=project&limit=2", ["users", "--by", "project", "--limit", "2"]),
            ("/api/v1/sessions/sess_hostile/events", ["events", "--session", "sess_hostile"]),
            ("/api/v1/sessions/sess_hostile/events?type=tool_call", ["events", "--session", "sess_hostile", "--type", "tool_call"]),
            ("/api/v1/search?q=ALERT", ["search", "ALERT"]),
            ("/api/v1/search?q=script&session=sess_hostile&limit=1", ["search", "script", "--session", "sess_hostile", "--limit", "1"]),
            ("/api/v1/search?q=%3Cb%3E&type=tool_call", ["search", "<b>", "--type", "tool_call"]),
        ]
        for (path, arguments) in cases {
            let answer = try server.get(path)
            #expect(answer.status == 200, "\(path): \(answer.body)")
            #expect(answer.header("Content-Type") == "application/json")
            #expect(answer.body == (try queryJSON(scratch.snapshots, arguments)), "\(path)")
        }
        // The session's events hold the hostile lines as written, every field kept.
        let events = try #require(try JSONSerialization.jsonObject(with: Data(try server.get("/api/v1/sessions/sess_hostile/events").body.utf8)) as? [[String: Any]])
        #expect(events.map { $0["type"] as? String } == ["session_start", "message", "tool_call"])
        #expect((events[1]["event"] as? [String: Any])?["content"] as? String == "<script>alert(3)</script>\u{1}")
        // A sample session with many events, streamed past the first piece, still equals the command's bytes.
        let busiest = try #require(try JSONSerialization.jsonObject(with: Data(try queryJSON(scratch.snapshots, ["sessions", "--sort", "tokens", "--limit", "1"]).utf8)) as? [[String: Any]])
        let id = try #require(busiest.first?["session_id"] as? String)
        let busy = try server.get("/api/v1/sessions/\(id)/events")
        #expect(busy.body == (try queryJSON(scratch.snapshots, ["events", "--session", id])))
        #expect(((try JSONSerialization.jsonObject(with: Data(busy.body.utf8))) as? [Any])?.count ?? 0 > 3)
        // The summary gains its generation in front; the rest is the command's.
        let summary = try server.get("/api/v1/summary")
        let cli = try queryJSON(scratch.snapshots, ["summary"])
        #expect(summary.body == "{\"generation\":1," + cli.dropFirst())
        // A session id with characters that need %-encoding.
        let encoded = try server.get("/api/v1/sessions/sess%5Fhostile")
        #expect(encoded.body == (try queryJSON(scratch.snapshots, ["session", "sess_hostile"])))
    }

    @Test func badParametersUnknownPathsAndSessionsAnswerWithTheCommandsWords() throws {
        try withServedSampleLogs { scratch, server in

            let badStatus = try server.get("/api/v1/sessions?status=BAD")
            #expect(badStatus.status == 400)
            let cli = try tally(["query", "--snapshot", scratch.snapshots, "sessions", "--status", "BAD"])
            #expect(cli.status == 2)
            let error = try #require(try JSONSerialization.jsonObject(with: Data(badStatus.body.utf8)) as? [String: String])
            #expect(cli.error.contains(try #require(error["error"])), "HTTP: \(badStatus.body) CLI: \(cli.error)")

            #expect(try server.get("/api/v1/sessions?limit=-1").status == 400)
            #expect(try server.get("/api/v1/summary?sort=cost").status == 400)      // does not apply to summary
            #expect(try server.get("/api/v1/users?by=planet").status == 400)
            #expect(try server.get("/api/v1/sessions?nonsense=1").status == 400)
            // The snapshot directory is the server's: a parameter cannot point it elsewhere.
            let elsewhere = try server.get("/api/v1/sessions?snapshot=/etc")
            #expect(elsewhere.status == 400)
            #expect(elsewhere.body.contains("snapshot"))
            #expect(try server.get("/api/v1/sessions?format=csv").status == 400)
            #expect(try server.get("/api/v1/sessions?status=%ZZ").status == 400)

            let unknown = try server.get("/api/v1/sessions/sess_does_not_exist")
            #expect(unknown.status == 404)
            #expect(unknown.body.contains("sess_does_not_exist"))
            let unknownEvents = try server.get("/api/v1/sessions/sess_does_not_exist/events")
            #expect(unknownEvents.status == 404)
            #expect(unknownEvents.body.contains("sess_does_not_exist"))
            #expect(try server.get("/api/v1/sessions/sess_x/events?session=sess_y").status == 400)
            #expect(try server.get("/api/v1/sessions/sess_x/events?type=planet").status == 400)
            let noText = try server.get("/api/v1/search")
            #expect(noText.status == 400)
            #expect(noText.body.contains("q=TEXT"))
            #expect(try server.get("/api/v1/search?q=").status == 400)
            #expect(try server.get("/api/v1/search?q=x&since=yesterday").status == 400)
            #expect(try server.get("/api/v1/nothing").status == 404)
            // An unknown path is 404 whatever its parameters: the subject is looked up first.
            #expect(try server.get("/api/v1/nothing?limit=x").status == 404)
            #expect(try server.get("/api/v1/nothing?foo=1").status == 404)
            #expect(try server.get("/api/v1/session").status == 404)
            #expect(try server.get("/no/such/page").status == 404)

            // Every answer carries the headers of http.md.
            for path in ["/", "/api/v1/summary", "/api/v1/nothing", "/metrics", "/assets/app.js"] {
                let answer = try server.get(path)
                #expect(answer.header("Cache-Control") == "no-store", "\(path)")
                #expect(answer.header("X-Content-Type-Options") == "nosniff", "\(path)")
                let policy = try #require(answer.header("Content-Security-Policy"), "\(path)")
                #expect(policy.contains("default-src 'none'") && policy.contains("script-src 'self'") && !policy.contains("unsafe"))
            }
            #expect(try server.get("/healthz").status == 200)
        }
    }

    @Test func noSnapshotYetIs503() throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let server = try RunningServer(snapshot: scratch.snapshots, log: scratch.path + "/serve.log")
        defer { server.stop() }
        #expect(try server.get("/healthz").status == 503)
        let summary = try server.get("/api/v1/summary")
        #expect(summary.status == 503)
        #expect(summary.body.contains("no usable snapshot"))
        #expect(try server.get("/api/v1/sessions").status == 503)
        #expect(try server.get("/").status == 503)
        // Nothing was created in the directory served.
        #expect(!FileManager.default.fileExists(atPath: scratch.snapshots))
        #expect(server.stop() == 0)
    }
}
