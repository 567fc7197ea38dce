import Testing
import TallyCore

/// The one JSON reader.
@Suite struct JSONParserTests {
    @Test func roundTripsKeyOrderAndNumberText() throws {
        let text = #"{"b":1.50,"a":[1e3,-0,null,false],"s":"x\u00e9\ud83d\ude00\"y"}"#
        let value = try JSONParser.parse(text)
        #expect(value.serialized() == #"{"b":1.50,"a":[1e3,-0,null,false],"s":"xé😀\"y"}"#)
        #expect(value["b"] == .number("1.50"))
    }

    @Test func readsBackEveryStringTheWriterWrites() throws {
        var text = String((0..<0x20).map { Character(UnicodeScalar(UInt8($0))) })
        text += "\"\\/\u{7F}\u{2028}é😀"
        let value = JSONValue.string(text)
        #expect(try JSONParser.parse(value.serialized()) == value)
    }

    @Test func decodesEveryEscape() throws {
        #expect(try JSONParser.parse(#""\"\\\/\b\f\n\r\t\u0041\u00e9\u2028""#) == .string("\"\\/\u{08}\u{0C}\n\r\tAé\u{2028}"))
        // A lone surrogate becomes U+FFFD.
        #expect(try JSONParser.parse(#""\ud800x""#) == .string("\u{FFFD}x"))
    }

    @Test func integersFitInt64OrAreNotIntegers() throws {
        let value = try JSONParser.parse("[9223372036854775807,-9223372036854775808,9223372036854775808,1.0,1e3]")
        guard case .array(let items) = value else { Issue.record("not an array"); return }
        #expect(items.map(\.int64Value) == [Int64.max, Int64.min, nil, nil, nil])
    }

    @Test func rejectsBrokenText() {
        for text in ["{", #"{"a":}"#, "[1,]", "01", #""abc"#, "nul", #"{"a":1} x"#, "1.", "-", "\"a\u{01}\"", #""\x""#, ""] {
            #expect(throws: JSONParser.Failure.self, "\(text)") { try JSONParser.parse(text) }
        }
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(deep) }
    }

    @Test func failuresSayWhatAndWhere() {
        do {
            _ = try JSONParser.parse(#"{"a":1,}"#)
            Issue.record("accepted")
        } catch {
            #expect(error.description == "expected a key at byte 7")
        }
    }
}
