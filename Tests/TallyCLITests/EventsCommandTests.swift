import Foundation
import Testing

/// `tally query events` and `tally query search` as processes: rows, exit codes, standard error.
@Suite struct EventsCommandTests {
    static let lines = [
        #"{"type":"message","ts":"2025-10-23T10:00:02Z","session_id":"s1","role":"assistant","content":"Hello\u001b[2J there"}"#,
        #"{"type":"message","ts":"2025-10-23T10:00:01Z","session_id":"s1","role":"user","content":"hi, about the database"}"#,
        #"{"type":"tool_call","ts":"2025-10-23T10:00:03Z","session_id":"s1","tool_name":"search","status":"error","execution_time_ms":31000,"error_message":"upstream 502"}"#,
        #"{"type":"message","ts":"2025-10-23T10:00:04Z","session_id":"s2","role":"user","content":"other"}"#,
    ].joined(separator: "\n") + "\n"

    @Test func eventsOfASessionPrintInTsOrderAndAnUnknownOneExits3() throws {
        let scratch = try CLIScratch(pipeline: "")
        defer { scratch.cleanup() }
        #expect(try tally(["append", "--spool", scratch.spool, "--producer", "api"], input: Array(Self.lines.utf8)).status == 0)
        #expect(try tally(["run", "--pipeline", scratch.pipeline, "--once"]).status == 0)

        let ndjson = try tally(["query", "--snapshot", scratch.snapshots, "events", "--session", "s1", "--format", "ndjson"])
        #expect(ndjson.status == 0)
        let rows = ndjson.output.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(rows.map { $0["ts"] as? String } == ["2025-10-23T10:00:01.000Z", "2025-10-23T10:00:02.000Z", "2025-10-23T10:00:03.000Z"])
        #expect(rows.allSatisfy { ($0["source"] as? String)?.hasSuffix(".zst") == true && $0["offset"] is Int && $0["event"] is [String: Any] })

        let table = try tally(["query", "--snapshot", scratch.snapshots, "events", "--session", "s1", "--format", "table"])
        #expect(table.output.contains("10:00:03.000  tool  search  error  31000 ms  upstream 502"))
        #expect(table.output.contains("\\x1B[2J"))
        #expect(!table.output.contains("\u{1B}"))

        let typed = try tally(["query", "--snapshot", scratch.snapshots, "events", "--session", "s1", "--type", "tool_call", "--format", "ndjson"])
        #expect(typed.output.split(separator: "\n").count == 1)
        #expect(try tally(["query", "--snapshot", scratch.snapshots, "events", "--session", "nope"]).status == 3)
        #expect(try tally(["query", "--snapshot", scratch.snapshots, "events"]).status == 2)
        #expect(try tally(["query", "--snapshot", scratch.snapshots, "events", "--session", "s1", "--type", "bogus"]).status == 2)
    }

    @Test func eventsCSVNeutralizesCellsASpreadsheetWouldRun() throws {
        let scratch = try CLIScratch(pipeline: "")
        defer { scratch.cleanup() }
        let line = #"{"type":"message","ts":"2025-10-23T10:00:01Z","session_id":"=HYPERLINK(\"http://x\")","role":"user","content":"hi"}"# + "\n"
        #expect(try tally(["append", "--spool", scratch.spool, "--producer", "api"], input: Array(line.utf8)).status == 0)
        #expect(try tally(["run", "--pipeline", scratch.pipeline, "--once"]).status == 0)
        let csv = try tally(["query", "--snapshot", scratch.snapshots, "events", "--session", #"=HYPERLINK("http://x")"#, "--format", "csv"])
        #expect(csv.status == 0)
        let rows = csv.output.split(separator: "\n")
        #expect(rows.first == "ts,type,session_id,source,offset,cost_usd,event")
        #expect(rows.count == 2 && rows[1].hasPrefix(#"2025-10-23T10:00:01.000Z,message,"'=HYPERLINK(""http://x"")","#), "\(csv.output)")
    }

    @Test func searchFindsTextAndAnEmptyTextExits2() throws {
        let scratch = try CLIScratch(pipeline: "")
        defer { scratch.cleanup() }
        #expect(try tally(["append", "--spool", scratch.spool, "--producer", "api"], input: Array(Self.lines.utf8)).status == 0)
        #expect(try tally(["run", "--pipeline", scratch.pipeline, "--once"]).status == 0)
        let found = try tally(["query", "--snapshot", scratch.snapshots, "search", "DATABASE", "--format", "json"])
        #expect(found.status == 0)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(found.output.utf8)) as? [[String: Any]])
        #expect(rows.count == 1 && rows.first?["field"] as? String == "content" && rows.first?["session_id"] as? String == "s1")
        let empty = try tally(["query", "--snapshot", scratch.snapshots, "search", ""])
        #expect(empty.status == 2 && empty.error.contains("empty"))
    }

    @Test func eventsInAMovedReplayInputAreCountedOnStandardErrorWithExit0() throws {
        let scratch = try CLIScratch(pipeline: "")
        defer { scratch.cleanup() }
        let input = scratch.path + "/events.ndjson"
        try Self.lines.write(toFile: input, atomically: true, encoding: .utf8)
        let out = scratch.path + "/replayed"
        #expect(try tally(["replay", "--pipeline", scratch.pipeline, "--out", out, input]).status == 0)
        try FileManager.default.moveItem(atPath: input, toPath: input + ".moved")
        let result = try tally(["query", "--snapshot", out, "events", "--session", "s1", "--format", "ndjson"])
        #expect(result.status == 0)
        #expect(result.output.isEmpty)
        #expect(result.error.contains("3 events left out"))
    }
}
