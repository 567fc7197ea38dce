import Foundation
import Testing
import TallyCore
import TallySpool

/// Events a Swift service appends with the producer API (Encodable values, strings with or
/// without their newline) are what the consumer folds.
@Suite struct ProducerEventTests {
    struct SessionStart: Encodable {
        var type = "session_start"
        var ts: Date
        var session_id: String
        var user_id: String?
    }

    struct Message: Encodable {
        var type = "message"
        var ts: Date
        var session_id: String
        var role: String
        var content: String
    }

    struct LLMCall: Encodable {
        var type = "llm_call"
        var ts: Date
        var session_id: String
        var model: String
        var input_tokens: Int
        var output_tokens: Int
        var cost_usd: Double
    }

    static let start = Date(timeIntervalSince1970: 1_761_229_800.250)

    @Test func encodedEventsDecodeAsEvents() throws {
        let scratch = try ConsumerScratch()
        defer { scratch.cleanup() }
        let writer = try SpoolWriter(directory: scratch.spool, producer: "svc")
        try writer.append(event: SessionStart(ts: Self.start, session_id: "s1", user_id: "u/7"))
        try writer.append(event: Message(ts: Self.start, session_id: "s1", role: "user", content: "line one\nline two"))
        try writer.close()
        var decoder = EventDecoder()
        var cursor = SpoolCursor()
        var events: [Event] = []
        try SpoolReader(directory: scratch.spool).readNew(from: &cursor) { event in
            guard case .frame(_, let frame) = event else { return }
            try frame.forEachLine { line in
                if case .event(let decoded) = decoder.decode(line.bytes) { events.append(decoded) }
            }
        }
        #expect(events.map(\.kind) == [.sessionStart, .message])
        #expect(events.allSatisfy { $0.timestamp == 1_761_229_800_250 && $0.sessionID == "s1" })
        #expect(events[0].context.userID == "u/7")
    }

    @Test func theConsumerFoldsEncodableEventsAndLinesWithTheirNewline() async throws {
        let scratch = try ConsumerScratch()
        defer { scratch.cleanup() }
        let writer = try SpoolWriter(directory: scratch.spool, producer: "svc")
        try writer.append(event: SessionStart(ts: Self.start, session_id: "s1"))
        try writer.append(events: [
            Message(ts: Self.start + 1, session_id: "s1", role: "user", content: "hi"),
            Message(ts: Self.start + 2, session_id: "s1", role: "assistant", content: "hello"),
        ])
        try writer.append(event: LLMCall(ts: Self.start + 2, session_id: "s1", model: "m", input_tokens: 10, output_tokens: 5, cost_usd: 0.25))
        // A line built as text with its newline is one event, not an event and an empty line.
        try writer.append(line: #"{"type":"session_end","ts":1761229805000,"session_id":"s1","status":"completed"}"# + "\n")
        try writer.close()
        try await scratch.runOnce()
        let summary = try scratch.summaryWithoutTime()
        #expect(summary["events"] as? Int == 5)
        #expect((summary["invalid"] as? [String: Int])?.isEmpty == true)
        #expect(summary["messages"] as? Int == 2)
        #expect(summary["llm_calls"] as? Int == 1)
        #expect(summary["input_tokens"] as? Int == 10)
        let sessions = try #require(summary["sessions"] as? [String: Int])
        #expect(sessions["total"] == 1 && sessions["COMPLETED"] == 1)
    }
}
