import Foundation
import Testing

/// The exit codes of shared/spec/cli.md, each with its one-line error.
@Suite struct ExitCodeTests {
    func replaySample(_ scratch: CLIScratch) throws -> String {
        let events = """
            {"type":"session_start","ts":"2025-10-23T14:30:00.000Z","session_id":"s1","user_id":"u1"}
            {"type":"message","ts":"2025-10-23T14:30:01.000Z","session_id":"s1","role":"user","content":"hi"}
            {"type":"message","ts":"2025-10-23T14:30:03.500Z","session_id":"s1","role":"assistant","content":"hello"}
            not json

            """
        let file = scratch.path + "/events.ndjson"
        try events.write(toFile: file, atomically: true, encoding: .utf8)
        let out = scratch.path + "/out"
        let outcome = try tally(["replay", "--pipeline", scratch.pipeline, "--out", out, file])
        #expect(outcome.status == 0, "\(outcome.error)")
        return out
    }

    @Test func aReplayedSessionIsFoundAndAnUnknownOneExits3() throws {
        let scratch = try CLIScratch(pipeline: "")
        defer { scratch.cleanup() }
        let out = try replaySample(scratch)
        let found = try tally(["query", "--snapshot", out, "session", "s1", "--format", "json"])
        #expect(found.status == 0)
        #expect(found.output.contains(#""avg_response_ms":2500"#))
        let missing = try tally(["query", "--snapshot", out, "session", "nope"])
        #expect(missing.status == 3)
        #expect(missing.error.split(separator: "\n").count == 1)
        let invalid = try tally(["query", "--snapshot", out, "invalid", "--format", "ndjson"])
        #expect(invalid.output.contains(#""reason":"not_json""#))
    }

    @Test func noUsableSnapshotExits4() throws {
        let scratch = try CLIScratch(pipeline: "")
        defer { scratch.cleanup() }
        let outcome = try tally(["query", "--snapshot", scratch.path, "summary"])
        #expect(outcome.status == 4)
        #expect(outcome.error.hasPrefix("tally"))
        #expect(outcome.error.split(separator: "\n").count == 1)
    }

    @Test func replayIntoADirectoryWithSnapshotsExits2() throws {
        let scratch = try CLIScratch(pipeline: "")
        defer { scratch.cleanup() }
        let out = try replaySample(scratch)
        let again = try tally(["replay", "--pipeline", scratch.pipeline, "--out", out, scratch.path + "/events.ndjson"])
        #expect(again.status == 2)
        #expect(again.error.contains("already holds snapshots"))
    }

    @Test func aBadPipelineFileExits2NamingKeyAndLine() throws {
        let scratch = try CLIScratch(pipeline: "snapshot:\n  every: 10s\n  keep: often\n")
        defer { scratch.cleanup() }
        let outcome = try tally(["run", "--pipeline", scratch.pipeline, "--once"])
        #expect(outcome.status == 2)
        #expect(outcome.error.contains("pipeline.yaml:3"))
        #expect(outcome.error.contains("snapshot.keep"))
        #expect(outcome.error.split(separator: "\n").count == 1)
    }

    @Test func aMissingReplayInputExits2AndAMissingSegmentFails() throws {
        let scratch = try CLIScratch(pipeline: "")
        defer { scratch.cleanup() }
        let replay = try tally(["replay", "--pipeline", scratch.pipeline, "--out", scratch.path + "/out", scratch.path + "/none.ndjson"])
        #expect(replay.status == 2)
        #expect(replay.error == "tally: no such file or directory: \(scratch.path)/none.ndjson\n")
        let verify = try tally(["verify", scratch.path + "/none.zst"])
        #expect(verify.status == 1)
        #expect(verify.error.hasPrefix("tally: cannot verify \(scratch.path)/none.zst: "))
        #expect(verify.error.split(separator: "\n").count == 1)
    }

    @Test func unknownOptionsAreBadUsageInOneLine() throws {
        let outcome = try tally(["query", "--snapshot", "x", "summary", "--colour"])
        #expect(outcome.status == 2)
        #expect(outcome.error.split(separator: "\n").count == 1)
    }
}
