import Foundation
import Glibc
import TallyTestSupport
import Testing

@Suite(.serialized) struct LiveTests {
    /// `tally run` folds what `tally append` adds; `/api/v1/stream` tells of the new generation.
    @Test func streamSendsEachNewSnapshot() throws {
        let scratch = try Scratch(every: "1s")
        defer { scratch.cleanup() }
        func append(_ lines: [String]) throws { try appendLines(lines, spool: scratch.spool) }
        try append([#"{"type":"session_start","ts":"2025-10-23T00:00:00.000Z","session_id":"live_1","user_id":"u1"}"#])

        let consumer = try startConsumer(pipeline: scratch.pipeline)
        defer {
            kill(consumer.processIdentifier, SIGTERM)
            consumer.waitUntilExit()
        }
        #expect(eventually(seconds: 60) { (try? tally(["query", "--snapshot", scratch.snapshots, "summary"]))?.status == 0 })

        let server = try RunningServer(snapshot: scratch.snapshots, log: scratch.path + "/serve.log")
        defer { server.stop() }
        let fd = try HTTPAnswer.connect(port: server.port)
        defer { close(fd) }
        HTTPAnswer.send(fd, path: "/api/v1/stream", headers: [:])
        let stream = SSEReader(fd: fd)
        let first = try #require(stream.nextEvent(seconds: 30), "the stream sends the current snapshot on connect")
        let firstGeneration = try #require(Self.generation(first))

        try append([#"{"type":"message","ts":"2025-10-23T00:00:05.000Z","session_id":"live_1","role":"user","content":"hello"}"#])
        // Generous: the snapshot comes within `every` (1 s), the event within a second of it.
        var newer: [String: Any]?
        let deadline = Date().addingTimeInterval(60)
        while newer == nil, Date() < deadline, let data = stream.nextEvent(seconds: 60) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any])
            if let generation = object["generation"] as? Int, generation > firstGeneration,
               let summary = object["summary"] as? [String: Any], summary["messages"] as? Int == 1 {
                newer = object
            }
        }
        let event = try #require(newer, "no snapshot event with the appended message")
        // The event's summary is the snapshot's own.
        let generation = event["generation"] as! Int
        let manifest = scratch.snapshots + "/snapshot-" + String(repeating: "0", count: 12 - String(generation).count) + "\(generation).json"
        let summary = try queryJSON(manifest, ["summary"])
        let expected = try JSONSerialization.jsonObject(with: Data(summary.utf8)) as! NSDictionary
        #expect((event["summary"] as! NSDictionary) == expected)
    }

    /// A kept answer (summary, sessions, models, the overview's parts) is one snapshot's: once a
    /// newer one commits, the next request gets the newer one's bytes.
    @Test func keptAnswersGiveWayToANewerSnapshot() throws {
        let scratch = try Scratch(every: "1s")
        defer { scratch.cleanup() }
        try appendLines([#"{"type":"session_start","ts":"2025-10-23T00:00:00.000Z","session_id":"kept_1","user_id":"u1"}"#], spool: scratch.spool)
        let consumer = try startConsumer(pipeline: scratch.pipeline)
        var running = true
        defer {
            if running {
                kill(consumer.processIdentifier, SIGTERM)
                consumer.waitUntilExit()
            }
        }
        #expect(eventually(seconds: 60) { (try? tally(["query", "--snapshot", scratch.snapshots, "summary"]))?.status == 0 })

        let server = try RunningServer(snapshot: scratch.snapshots, log: scratch.path + "/serve.log")
        defer { server.stop() }
        func messages() -> Int? {
            guard let body = try? server.get("/api/v1/summary").body,
                  let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else { return nil }
            return object["messages"] as? Int
        }
        // Asked twice and more: the second and later answers are the kept ones.
        for _ in 0..<3 {
            #expect(messages() == 0)
            #expect(try server.get("/api/v1/sessions?limit=50").body.contains("\"messages\":0"))
            #expect(try server.get("/").status == 200)
        }
        try appendLines([#"{"type":"message","ts":"2025-10-23T00:00:05.000Z","session_id":"kept_1","role":"user","content":"hello"}"#], spool: scratch.spool)
        #expect(eventually(seconds: 60) { messages() == 1 }, "the summary never showed the newer snapshot")
        // No more commits from here: every answer must be the newest snapshot's bytes.
        kill(consumer.processIdentifier, SIGTERM)
        consumer.waitUntilExit()
        running = false
        let summary = try queryJSON(scratch.snapshots, ["summary"])
        let newest = try #require(Self.generation(try server.get("/api/v1/summary").body))
        #expect(try server.get("/api/v1/summary").body == "{\"generation\":\(newest)," + summary.dropFirst())
        #expect(try server.get("/api/v1/sessions?limit=50").body == (try queryJSON(scratch.snapshots, ["sessions", "--limit", "50"])))
        #expect(try server.get("/api/v1/models").body == (try queryJSON(scratch.snapshots, ["models"])))
        #expect(try server.get("/").body.contains("snapshot <span id=\"generation\">\(newest)</span>"))
    }

    static func generation(_ data: String) -> Int? {
        (try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any])?["generation"] as? Int
    }
}
