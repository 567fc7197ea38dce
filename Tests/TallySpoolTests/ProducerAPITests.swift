import Foundation
import Testing
@testable import TallySpool

/// What a Swift service calls: lines with or without their newline, strings, Encodable values.
@Suite struct ProducerAPITests {
    /// The decompressed bytes of every segment a writer filled, in order.
    static func content(_ dir: TempDir) throws -> String {
        try Spool(directory: dir.path).segments().map { String(decoding: try zstdcat($0.path), as: UTF8.self) }.joined()
    }

    /// Runs `body` on a fresh writer, closes it, returns the spool's content.
    static func written(_ body: (SpoolWriter) throws -> Void) throws -> String {
        let dir = TempDir()
        defer { dir.cleanup() }
        let writer = try SpoolWriter(directory: dir.path, producer: "p")
        try body(writer)
        try writer.close()
        return try content(dir)
    }

    @Test func aLineWithItsNewlineIsAppendedOnce() throws {
        let lines = [#"{"a":1}"#, #"{"a":2}"#, "", #"{"a":3}"#]
        let without = try Self.written { try $0.append(lines: lines.map { Array($0.utf8) }) }
        let with = try Self.written { try $0.append(lines: lines.map { Array(($0 + "\n").utf8) }) }
        let mixed = try Self.written { w in try w.append(lines: lines.enumerated().map { Array(($1 + ($0 % 2 == 0 ? "\n" : "")).utf8) }) }
        #expect(without == #"{"a":1}"# + "\n" + #"{"a":2}"# + "\n\n" + #"{"a":3}"# + "\n")
        #expect(with == without)
        #expect(mixed == without)
    }

    @Test func onlyOneFinalNewlineIsTakenAndCarriageReturnsStay() throws {
        #expect(try Self.written { try $0.append(lines: [Array("a\r\n".utf8)]) } == "a\r\n")
        #expect(try Self.written { try $0.append(lines: [Array("a\r".utf8)]) } == "a\r\n")
        #expect(try Self.written { try $0.append(lines: [Array("a\n\n".utf8)]) } == "a\n\n")   // "a" and an empty line
        #expect(try Self.written { try $0.append(lines: [Array("\n".utf8)]) } == "\n")
        #expect(try Self.written { try $0.append(lines: [Array("a\nb".utf8)]) } == "a\nb\n")   // inner newline: two lines
    }

    @Test func aLineWithoutContiguousStorageIsHandledTheSame() throws {
        // A lazy, non-contiguous collection of bytes takes the element-by-element copy.
        let lines = ["x\n", "y"].map { $0.utf8.lazy.map { $0 } }
        #expect(try Self.written { try $0.append(lines: lines) } == "x\ny\n")
    }

    @Test func stringsAppendLikeTheirBytes() throws {
        let lines = [#"{"text":"héllo"}"#, #"{"n":2}"# + "\n"]
        let bytes = try Self.written { try $0.append(lines: lines.map { Array($0.utf8) }) }
        #expect(try Self.written { try $0.append(lines: lines) } == bytes)
        #expect(try Self.written { try $0.append(lines: lines.map { $0[...] }) } == bytes)   // Substring
        #expect(try Self.written { w in for line in lines { try w.append(line: line) } } == bytes)
        #expect(try Self.written { try $0.append(line: "solo") } == (try Self.written { try $0.append(line: "solo\n") }))
    }

    struct ToolCall: Encodable {
        var type = "tool_call"
        var ts: Date
        var session_id: String
        var tool_name: String
        var status = "success"
        var execution_time_ms: Int?
        var result: String?
    }

    /// Keys sorted, so the bytes are the same on every run; slashes unescaped, newlines escaped.
    @Test func anEncodableIsOneJSONObjectLine() throws {
        let ts = Date(timeIntervalSince1970: 1_761_229_800.123)
        let call = ToolCall(ts: ts, session_id: "s/1", tool_name: "search", execution_time_ms: 42, result: "two\nlines")
        let text = try Self.written { try $0.append(event: call) }
        #expect(text == #"{"execution_time_ms":42,"result":"two\nlines","session_id":"s/1","status":"success","tool_name":"search","ts":1761229800123,"type":"tool_call"}"# + "\n")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["result"] as? String == "two\nlines")
        // A nil optional is left out.
        let bare = try Self.written { try $0.append(event: ToolCall(ts: ts, session_id: "s", tool_name: "t")) }
        #expect(bare == #"{"session_id":"s","status":"success","tool_name":"t","ts":1761229800123,"type":"tool_call"}"# + "\n")
    }

    @Test func eventsAreOneBatch() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let writer = try SpoolWriter(directory: dir.path, producer: "p")
        let ts = Date(timeIntervalSince1970: 1_761_229_800)
        try writer.append(events: (0..<3).map { ToolCall(ts: ts, session_id: "s\($0)", tool_name: "t") })
        try writer.close()
        var frames = 0
        var lines: [String] = []
        _ = try SegmentReader(path: try Spool(directory: dir.path).segments()[0].path).read { event in
            guard case .frame(let frame) = event else { return }
            frames += 1
            try frame.forEachLine { lines.append(String(decoding: $0.bytes, as: UTF8.self)) }
        }
        #expect(frames == 1)
        #expect(lines == (0..<3).map { #"{"session_id":"s\#($0)","status":"success","tool_name":"t","ts":1761229800000,"type":"tool_call"}"# })
    }

    @Test func datesAreEpochMillisecondsTruncated() {
        #expect(SpoolWriter.epochMilliseconds(Date(timeIntervalSince1970: 1_761_229_800.123)) == 1_761_229_800_123)
        #expect(SpoolWriter.epochMilliseconds(Date(timeIntervalSince1970: 1.9999)) == 1999)
        #expect(SpoolWriter.epochMilliseconds(Date(timeIntervalSince1970: -0.0015)) == -2)
        #expect(SpoolWriter.epochMilliseconds(Date(timeIntervalSince1970: 1e300)) == nil)
    }

    struct Reading: Encodable { var type = "log"; var value: Double }

    @Test func whatIsNotOneJSONObjectIsRefusedAndNothingAppended() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let writer = try SpoolWriter(directory: dir.path, producer: "p")
        let nan = #expect(throws: SpoolError.self) { try writer.append(events: [Reading(value: 1), Reading(value: .nan)]) }
        #expect(nan?.code == .invalidArgument)
        #expect(nan?.description.contains("value") == true)
        let array = #expect(throws: SpoolError.self) { try writer.append(event: [1, 2]) }
        #expect(array?.code == .invalidArgument)
        #expect(throws: SpoolError.self) { try writer.append(event: "text") }
        #expect(throws: SpoolError.self) { try writer.append(event: Date(timeIntervalSince1970: 1e300)) }
        try writer.close()
        #expect(try Spool(directory: dir.path).segments().isEmpty)
    }
}
