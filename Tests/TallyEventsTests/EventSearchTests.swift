import Foundation
import Synchronization
import Testing
import TallyEvents
import TallySnapshot

@Suite struct EventSearchTests {
    /// Two sessions of one user and one of another, with texts that are hard to match literally.
    func prepared(name: String = #function) async throws -> EventsScratch {
        let scratch = try EventsScratch(name: name)
        try scratch.write([
            [line("message", 1_000, "a", #""role":"user","content":"How do I tune DATABASE optimization?","user_id":"u1""#),
             line("message", 2_000, "b", #""role":"user","content":"say \"hi\" to C:\\temp at 100% for a_b","user_id":"u1""#)],
            [line("tool_call", 3_000, "a", #""tool_name":"sql","status":"error","error_message":"Database timeout","parameters":{"query":"select \"x\""}"#),
             line("log", 4_000, "c", #""level":"error","message":"café au lait","user_id":"u2""#),
             line("feedback", 5_000, "c", #""comment":"bell\u0007 and database","rating":2"#)],
        ])
        try await scratch.runOnce()
        return scratch
    }

    func search(_ scratch: EventsScratch, _ text: String, sessions: [String]? = nil, user: String? = nil,
                types: Set<String> = [], since: Int64? = nil, until: Int64? = nil, limit: Int = 100) throws -> [EventRow] {
        var rows: [EventRow] = []
        let search = try EventSearch(text: text, sessionIDs: sessions, userID: user, types: types, since: since, until: until, limit: limit)
        try search.run(snapshot: scratch.reader(), threads: 2) { rows.append($0) }
        return rows
    }

    @Test func searchIgnoresASCIICaseAndNamesTheFieldOldestFirst() async throws {
        let scratch = try await prepared()
        defer { scratch.cleanup() }
        let rows = try search(scratch, "database")
        #expect(rows.map(\.timestamp) == [1_000, 3_000, 5_000])
        #expect(rows.map { $0.field ?? "" } == ["content", "error_message", "comment"])
        #expect(try search(scratch, "database", limit: 2).map(\.timestamp) == [1_000, 3_000])
        #expect(try search(scratch, "database", types: ["tool_call"]).map(\.timestamp) == [3_000])
        #expect(try search(scratch, "database", since: 2_000, until: 5_000).map(\.timestamp) == [3_000])
    }

    @Test func aStoppedSearchEndsItsScanAndGivesNoRows() async throws {
        let scratch = try await prepared()
        defer { scratch.cleanup() }
        let search = try EventSearch(text: "database")
        let asked = Counter()
        var rows: [EventRow] = []
        try search.run(snapshot: scratch.reader(), threads: 2, stop: { asked.increment(); return true }) { rows.append($0) }
        #expect(rows.isEmpty)
        #expect(asked.value > 0)
        try search.run(snapshot: scratch.reader(), threads: 2, stop: { false }) { rows.append($0) }
        #expect(rows.map(\.timestamp) == [1_000, 3_000, 5_000])
    }

    @Test func quotesBackslashesPercentUnderscoreAndNonASCIIMatchLiterally() async throws {
        let scratch = try await prepared()
        defer { scratch.cleanup() }
        #expect(try search(scratch, #"say "hi""#).map(\.timestamp) == [2_000])
        #expect(try search(scratch, #"C:\temp"#).map(\.timestamp) == [2_000])
        #expect(try search(scratch, "100%").map(\.timestamp) == [2_000])
        #expect(try search(scratch, "a_b").map(\.timestamp) == [2_000])
        #expect(try search(scratch, "%").map(\.timestamp) == [2_000])
        #expect(try search(scratch, "_").map(\.timestamp) == [2_000])
        #expect(try search(scratch, "CAFÉ").isEmpty)   // only ASCII letters fold
        #expect(try search(scratch, "café").map(\.timestamp) == [4_000])
        #expect(try search(scratch, #"select "x""#).map { $0.field ?? "" } == ["parameters"])
    }

    @Test func throughTheIndexASessionOrAUsersSessionsGiveTheSameRows() async throws {
        let scratch = try await prepared()
        defer { scratch.cleanup() }
        #expect(try search(scratch, "database", sessions: ["a"]).map(\.timestamp) == [1_000, 3_000])
        #expect(try search(scratch, "a", user: "u1").map(\.sessionID) == ["a", "b", "a"])
        #expect(try search(scratch, "database", user: "u2").map(\.timestamp) == [5_000])
        let indexed = try search(scratch, "database", sessions: ["a", "c"])
        let scanned = try search(scratch, "database")
        #expect(indexed == scanned)
    }

    @Test func anEmptyTextIsABadQuery() throws {
        #expect(throws: EventsError.self) { _ = try EventSearch(text: "") }
    }

    @Test func theTranscriptEscapesControlCharacters() async throws {
        let scratch = try await prepared()
        defer { scratch.cleanup() }
        var output = EventOutput(format: .table, withField: true)
        let rows = try search(scratch, "bell")
        let text = output.begin() + rows.map { output.row($0) }.joined() + output.end()
        #expect(text.contains("bell\\x07 and database"))
        #expect(!text.unicodeScalars.contains { $0.value == 7 })
    }
}

/// Counts calls from several threads.
private final class Counter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
