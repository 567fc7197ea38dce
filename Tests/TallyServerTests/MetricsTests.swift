import Foundation
import TallyTestSupport
import Testing

@Suite(.serialized) struct MetricsTests {
    @Test func metricsPassPromtoolAndEqualTheSummary() throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        try scratch.replaySampleLogs(extra: APITests.hostile)
        let server = try RunningServer(snapshot: scratch.snapshots, log: scratch.path + "/serve.log")
        defer { server.stop() }
        let metrics = try server.get("/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)

        let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let tool = try #require(promtool, "promtool is missing: .ci/setup installs Debian's prometheus package")
        let file = scratch.path + "/metrics.txt"
        try metrics.body.write(toFile: file, atomically: true, encoding: .utf8)
        let check = try runProgram("/bin/sh", ["-c", "\"$0\" check metrics < \"$1\"", tool, file])
        #expect(check.status == 0, "promtool: \(check.output) \(check.error)")

        let summary = try #require(try JSONSerialization.jsonObject(with: Data(try queryJSON(scratch.snapshots, ["summary"]).utf8)) as? [String: Any])
        let samples = Self.samples(metrics.body)
        #expect(samples["tally_events_total"] == Double(summary["events"] as! Int))
        #expect(samples["tally_duplicates_total"] == Double(summary["duplicates"] as! Int))
        let sessions = summary["sessions"] as! [String: Int]
        #expect(samples["tally_sessions_started_total"] == Double(sessions["total"]!))
        for status in ["ACTIVE", "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT"] {
            #expect(samples["tally_sessions{status=\"\(status)\"}"] == Double(sessions[status]!), "\(status)")
        }
        for (reason, count) in summary["invalid"] as! [String: Int] {
            #expect(samples["tally_invalid_lines_total{reason=\"\(reason)\"}"] == Double(count))
        }
        #expect(samples["tally_snapshot_generation"] == 1)
        // Per model and tool: the sums equal the summary's totals.
        let cost = samples.filter { $0.key.hasPrefix("tally_llm_cost_usd_total{") }.values.reduce(0, +)
        #expect(abs(cost - (summary["cost_usd"] as! Double)) < 1e-6)
        let calls = samples.filter { $0.key.hasPrefix("tally_llm_calls_total{") }.values.reduce(0, +)
        #expect(calls == Double(summary["llm_calls"] as! Int))
        let input = samples.filter { $0.key.hasPrefix("tally_llm_tokens_total{") && $0.key.contains("type=\"input\"") }.values.reduce(0, +)
        #expect(input == Double(summary["input_tokens"] as! Int))
        let tools = samples.filter { $0.key.hasPrefix("tally_tool_calls_total{") }.values.reduce(0, +)
        #expect(tools == Double(summary["tool_calls"] as! Int))
        // The hostile tool name is one escaped label value.
        #expect(metrics.body.contains(#"tool="<img src=x onerror=alert(2)>\""#))
        #expect(metrics.body.contains("tally_llm_latency_seconds{model="))
        #expect(metrics.body.contains("tally_tool_execution_seconds_count{tool="))
    }

    /// `name{labels}` → value, for every sample line.
    static func samples(_ text: String) -> [String: Double] {
        var out: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            out[String(line[..<space])] = Double(line[line.index(after: space)...])
        }
        return out
    }
}
