import Testing
import TallyCore
@testable import TallySnapshot

/// The dead-letter record: the bytes written for a rejected line, and the same record read back.
@Suite struct DeadLetterRecordTests {
    static func record(
        source: String = "s", offset: Int64 = 0, lineOffset: Int64? = nil, _ invalid: InvalidLine, line: [UInt8]
    ) -> DeadLetterRecord {
        line.withUnsafeBytes { raw in DeadLetterRecord(source: source, offset: offset, lineOffset: lineOffset, invalid: invalid, line: raw) }
    }

    @Test func deadLetterRecordsAreOneJSONObjectALine() {
        var output = Array("kept\n".utf8)
        Self.record(
            source: "/s/a\u{0C}.zst", offset: 12, lineOffset: 3, InvalidLine(reason: .notJSON, detail: "the line is not valid JSON"),
            line: Array("{\"a\":\"\u{08}\u{0C}\u{1B}é\u{2028}\"".utf8)
        ).append(to: &output)
        Self.record(source: "f", InvalidLine(reason: .invalidUTF8, detail: "the line is not valid UTF-8"), line: [0x7B, 0xFF, 0x7D])
            .append(to: &output)
        #expect(String(decoding: output, as: UTF8.self) == "kept\n"
            + #"{"source":"/s/a\f.zst","offset":12,"line_offset":3,"reason":"not_json","field":null,"detail":"the line is not valid JSON","line":"{\"a\":\"\b\f\u001bé"# + "\u{2028}" + #"\""}"# + "\n"
            + #"{"source":"f","offset":0,"reason":"invalid_utf8","field":null,"detail":"the line is not valid UTF-8","line":"{�}","line_base64":"e/99"}"# + "\n")
    }

    @Test func longDeadLettersAreCutOnACharacterBoundary() {
        var output: [UInt8] = []
        let line = Array((String(repeating: "a", count: DeadLetterRecord.maximumLineBytes - 1) + "é!").utf8)
        Self.record(InvalidLine(reason: .notJSON, detail: "d"), line: line).append(to: &output)
        let text = String(decoding: output, as: UTF8.self)
        #expect(text.hasSuffix(String(repeating: "a", count: 8) + #"","truncated":true}"# + "\n"))
    }

    @Test func writtenRecordsReadBackUnchanged() {
        let records = [
            Self.record(source: "/s/a.zst", offset: 12, lineOffset: 3, InvalidLine(reason: .badTimestamp, field: "ts", detail: "bad ts"), line: Array("{\"ts\":1}".utf8)),
            Self.record(InvalidLine(reason: .invalidUTF8, detail: "d"), line: [0x7B, 0xFF, 0x7D]),
            Self.record(InvalidLine(reason: .notJSON, detail: "d"), line: Array(repeating: 0x61, count: DeadLetterRecord.maximumLineBytes + 1)),
        ]
        for record in records {
            var output: [UInt8] = []
            record.append(to: &output)
            #expect(DeadLetterRecord(parsing: Array(output.dropLast())) == record)
        }
    }

    @Test func recordsBefore11ReadWithoutFieldAndDetail() throws {
        let record = try #require(DeadLetterRecord(parsing: Array(#"{"source":"old","offset":1,"reason":"not_json","line":"x"}"#.utf8)))
        #expect(record.listedValues == [.string("old"), .int(1), .string("not_json"), .null, .null, .string("x")])
        #expect(DeadLetterRecord(parsing: Array("[1]".utf8)) == nil)
        #expect(DeadLetterRecord(parsing: Array(#"{"source":"torn"#.utf8)) == nil)
    }
}
