import Foundation
import Testing
import TallyEvents
import TallyPipeline
import TallySnapshot

@Suite struct SessionEventsTests {
    @Test func aSessionsEventsComeBackInTsOrderWithoutDuplicatesOrInvalidLines() async throws {
        let scratch = try EventsScratch()
        defer { scratch.cleanup() }
        try scratch.write([
            [line("message", 3_000, "s1", #""role":"assistant","content":"third""#), line("message", 1_000, "other", #""role":"user""#)],
            [line("message", 1_000, "s1", #""role":"user","content":"first","event_id":"e1""#), #"{"type":"message","ts":"bad","session_id":"s1"}"#],
            [line("message", 1_001, "s1", #""role":"user","content":"copy","event_id":"e1""#),
             line("llm_call", 2_000, "s1", #""model":"gpt-4o-mini","input_tokens":1000,"output_tokens":100"#),
             line("llm_call", 2_000, "s1", #""model":"unknown-model","input_tokens":10"#)],
        ])
        try await scratch.runOnce()
        let (rows, report) = try scratch.events("s1")
        #expect(rows.map(\.timestamp) == [1_000, 2_000, 2_000, 3_000])
        #expect(rows.map(\.type) == ["message", "llm_call", "llm_call", "message"])
        #expect(rows[0].text.contains("\"first\""))   // the copy within the dedup window is left out
        #expect(rows[1].costNanos == 210_000)   // 1000 × 0.15 + 100 × 0.60 USD per million tokens
        #expect(rows[2].costNanos == nil)   // unpriced; ties keep read order
        #expect(rows.allSatisfy { $0.source.hasSuffix(".zst") && $0.sessionID == "s1" })
        #expect(Set(rows.map(\.offset)).count == 3)   // three frames
        #expect(report.missingEvents == 0 && report.damaged.isEmpty && report.rows == 4)

        let (calls, _) = try scratch.events("s1", types: ["llm_call"])
        #expect(calls.count == 2)
    }

    @Test func eachCallIsPricedWithTheDatedEntryInForceAtItsTsAsTheFoldPricedIt() async throws {
        let scratch = try EventsScratch(yaml: """
            pricing:
              m:
                - { from: "1970-01-01T00:00:01Z", input: 1, output: 0, cache_write: 2 }
                - { from: "1970-01-01T00:00:02Z", input: 3, output: 0 }
            """)
        defer { scratch.cleanup() }
        try scratch.write([[
            line("llm_call", 999, "s1", #""model":"m","input_tokens":1000"#),
            line("llm_call", 1_000, "s1", #""model":"m","input_tokens":1000,"cache_write_input_tokens":100"#),
            line("llm_call", 1_999, "s1", #""model":"m","input_tokens":1000"#),
            line("llm_call", 2_000, "s1", #""model":"m","input_tokens":1000"#),
        ]])
        try await scratch.runOnce()
        let (rows, _) = try scratch.events("s1")
        // Before the first entry: unpriced. 900 × 1 + 100 × 2 USD per million tokens; 1000 × 1; 1000 × 3.
        #expect(rows.map(\.costNanos) == [nil, 1_100_000, 1_000_000, 3_000_000])
    }

    @Test func anUnknownSessionIsNotFound() async throws {
        let scratch = try EventsScratch()
        defer { scratch.cleanup() }
        try scratch.write([[line("message", 1_000, "s1", #""role":"user""#)]])
        try await scratch.runOnce()
        #expect(throws: EventsError.self) { try scratch.events("nope") }
        do {
            _ = try scratch.events("nope")
        } catch let error as EventsError {
            #expect(error.code == .sessionNotFound)
        }
    }

    @Test func aResumedRunKeepsTheIndexOfEarlierSnapshots() async throws {
        let scratch = try EventsScratch()
        defer { scratch.cleanup() }
        try scratch.write([[line("message", 1_000, "s1", #""role":"user""#)]], producer: "one")
        try await scratch.runOnce()
        try scratch.write([[line("message", 2_000, "s1", #""role":"assistant""#)]], producer: "two")
        try await scratch.runOnce()
        let (rows, report) = try scratch.events("s1")
        #expect(rows.map(\.timestamp) == [1_000, 2_000])
        #expect(Set(rows.map(\.source)).count == 2)
        #expect(report.missingEvents == 0)
    }

    @Test func eventsInFilesThatAreGoneAreCountedAndLeftOut() async throws {
        let scratch = try EventsScratch()
        defer { scratch.cleanup() }
        let input = scratch.path + "/input.ndjson"
        let text = [
            line("message", 1_000, "s1", #""role":"user""#), line("message", 2_000, "s1", #""role":"assistant""#),
            line("message", 3_000, "s2", #""role":"user""#),
        ].joined(separator: "\n") + "\n"
        try text.write(toFile: input, atomically: true, encoding: .utf8)
        let out = scratch.path + "/replayed"
        _ = try Replay.run(settings: scratch.settings, inputs: [input], output: out)

        let (rows, before) = try scratch.events("s1", in: out)
        #expect(rows.count == 2 && before.missingEvents == 0)
        // A plain file's rows give the byte offset of their line.
        let bytes = Array(text.utf8)
        for row in rows { #expect(Array(bytes[Int(row.offset)..<Int(row.offset) + row.event.count]) == row.event) }

        try FileManager.default.removeItem(atPath: input)
        let (none, after) = try scratch.events("s1", in: out)
        #expect(none.isEmpty)
        #expect(after.missingEvents == 2 && after.missingFiles.count == 1)
    }

    @Test func aDamagedFrameIsReportedWithFileAndOffsetAndTheRestIsGiven() async throws {
        let scratch = try EventsScratch()
        defer { scratch.cleanup() }
        let filler = String(repeating: "x", count: 2_000)
        try scratch.write([
            [line("message", 1_000, "s1", #""role":"user","content":"a\#(filler)""#)],
            [line("message", 2_000, "s1", #""role":"assistant","content":"b\#(filler)""#)],
            [line("message", 3_000, "s1", #""role":"user","content":"c\#(filler)""#)],
        ])
        try await scratch.runOnce()
        let (rows, _) = try scratch.events("s1")
        #expect(rows.count == 3)
        // Damage the second frame after the fold read it.
        let path = rows[1].source
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.seek(toOffset: UInt64(rows[1].offset) + 20)
        handle.write(Data(repeating: 0xFF, count: 16))
        try handle.close()

        let (left, report) = try scratch.events("s1")
        #expect(left.map(\.timestamp) == [1_000, 3_000])
        #expect(report.damagedEvents == 1)
        #expect(report.damaged.count == 1 && report.damaged[0].contains(path) && report.damaged[0].contains("\(rows[1].offset)"))
    }

    @Test func manyEventsOfOneSessionOverManyFramesComeBackAllInOrder() async throws {
        let scratch = try EventsScratch()
        defer { scratch.cleanup() }
        // 20,000 events in 200 frames, each frame's times descending.
        let batches = (0..<200).map { frame in
            (0..<100).map { index in line("log", Int64(frame * 1_000 + 999 - index), "big", #""level":"info","message":"m""#) }
        }
        try scratch.write(batches)
        try await scratch.runOnce()
        let (rows, report) = try scratch.events("big")
        #expect(rows.count == 20_000 && report.rows == 20_000)
        #expect(zip(rows, rows.dropFirst()).allSatisfy { $0.timestamp < $1.timestamp })
    }
}

@Suite struct SegmentRetentionTests {
    @Test func retentionForgetsTheFramesOfDeletedSegmentsAndCountsTheirEvents() async throws {
        let scratch = try EventsScratch(yaml: "snapshot:\n  keep: 1\nretention:\n  segments: 1ms\n")
        defer { scratch.cleanup() }
        try scratch.write([[line("message", 1_000, "s1", #""role":"user""#), line("message", 2_000, "s1", #""role":"assistant""#)]])
        usleep(20_000)
        try await scratch.runOnce()   // folds, writes its snapshot, then deletes the folded segment
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.spool).filter { $0.hasSuffix(".zst") }.isEmpty)
        try await scratch.runOnce()   // resumes: the deleted segment's frames leave the index
        let (rows, report) = try scratch.events("s1")
        #expect(rows.isEmpty)
        #expect(report.missingEvents == 2 && report.missingFiles.isEmpty)
        let reader = try scratch.reader()
        #expect(try reader.frameFiles().isEmpty)
    }
}
