import Foundation
import Testing

/// `tally demo` on the checkout's SampleLogs/ and Pipelines/default.yaml.
@Suite struct DemoCommandTests {
    @Test func demoReportsWhatTheSampleHoldsAndHowToDigFurther() throws {
        let scratch = try CLIScratch(pipeline: "")
        defer { scratch.cleanup() }
        let out = scratch.path + "/demo"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try requireTally())
        process.arguments = ["demo", "--out", out]
        process.currentDirectoryURL = URL(fileURLWithPath: checkoutRoot)
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        for section in ["== Summary", "== Top sessions by cost", "== Tools: error rates and latency",
                        "== Models: cost and latency", "== Alerts by kind", "== Invalid lines by reason"] {
            #expect(text.contains(section), "missing \(section)")
        }
        // Every alert kind and every invalid reason of the sample shows up with a count.
        for name in ["slow_response", "slow_tool", "context_window", "long_session", "access_burst",
                     "not_json", "too_long", "invalid_utf8", "bad_ts"] {
            #expect(text.contains(name), "missing \(name)")
        }
        #expect(text.contains("tally query --snapshot \(out) sessions --status FAILED"))
        // The snapshot it points to holds what a replay of the sample with the default pipeline holds.
        let replayed = scratch.path + "/replayed"
        let replay = try tally([
            "replay", "--pipeline", checkoutRoot + "/Pipelines/default.yaml", "--out", replayed, checkoutRoot + "/SampleLogs",
        ])
        #expect(replay.status == 0)
        for subject in [["sessions", "--limit", "0"], ["tools"], ["models"], ["alerts", "--limit", "0"]] {
            let demo = try tally(["query", "--snapshot", out] + subject + ["--format", "json"])
            let batch = try tally(["query", "--snapshot", replayed] + subject + ["--format", "json"])
            #expect(demo.status == 0 && !demo.output.isEmpty && demo.output == batch.output, "\(subject[0])")
        }
    }
}
