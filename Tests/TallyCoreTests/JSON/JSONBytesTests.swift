import Testing
import TallyCore

/// The one JSON writer, against literal texts.
@Suite struct JSONBytesTests {
    private func written(_ body: (inout JSONBytes) -> Void) -> String {
        var json = JSONBytes()
        body(&json)
        return String(decoding: json.bytes, as: UTF8.self)
    }

    @Test func everyControlCharacterIsEscapedShortWhereJSONHasAShortForm() {
        let short: [UInt8: String] = [0x08: #"\b"#, 0x09: #"\t"#, 0x0A: #"\n"#, 0x0C: #"\f"#, 0x0D: #"\r"#]
        let hex = Array("0123456789abcdef")
        for byte in UInt8(0)..<0x20 {
            let expected = short[byte] ?? #"\u00"# + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0xF)])
            #expect(written { $0.appendString(String(UnicodeScalar(byte))) } == "\"" + expected + "\"", "U+00\(byte)")
        }
        #expect(written { $0.appendString("\u{00}\u{1F}\u{0B}\u{1B}") } == #""\u0000\u001f\u000b\u001b""#)
    }

    @Test func quoteAndBackslashAreEscapedAndNothingElseIs() {
        #expect(written { $0.appendString(#"a"b\c/d"#) } == #""a\"b\\c/d""#)
        #expect(written { $0.appendString("") } == #""""#)
        // DEL, C1 controls, U+2028/U+2029 and every other non-ASCII character go out as UTF-8.
        #expect(written { $0.appendString("\u{7F}\u{85}\u{2028}\u{2029}") } == "\"\u{7F}\u{85}\u{2028}\u{2029}\"")
        #expect(written { $0.appendString("é世界😀") } == "\"é世界😀\"")
        #expect(written { $0.appendString("x\u{2028}\"\u{08}é\u{0C}") } == "\"x\u{2028}\\\"\\bé\\f\"")
    }

    @Test func integersIncludingTheExtremes() {
        #expect(written { $0.appendInteger(Int64.max) } == "9223372036854775807")
        #expect(written { $0.appendInteger(Int64.min) } == "-9223372036854775808")
        #expect(written { $0.appendInteger(0) } == "0")
        #expect(written { $0.appendInteger(-7) } == "-7")
        #expect(written { $0.appendInteger(nil) } == "null")
        #expect(JSONValue.int(Int64.min).serialized() == "-9223372036854775808")
        #expect(JSONValue.int(Int64.max).serialized() == "9223372036854775807")
    }

    @Test func moneyHasUpToNineDecimalsAndNoTrailingZeros() {
        #expect(written { $0.appendMoney(nanos: 123_450) } == "0.00012345")
        #expect(written { $0.appendMoney(nanos: 2_000_000_000) } == "2")
        #expect(written { $0.appendMoney(nanos: -1_500_000_000) } == "-1.5")
        #expect(written { $0.appendMoney(nanos: Int64.max) } == "9223372036.854775807")
        #expect(written { $0.appendMoney(nanos: Int64.min) } == "-9223372036.854775808")
        #expect(written { $0.appendMoney(nanos: nil) } == "null")
    }

    @Test func valuesAreCompactWithFieldsInTheirOrder() {
        let value = JSONValue.object([
            ("z", .int(1)), ("a", .null), ("list", .array([.bool(true), .bool(false), .number("1.50"), .text(nil)])),
            ("raw", .raw(#"{"k":[1]}"#)), ("empty", .emptyObject), ("none", .array([])), ("k\n", .string("v\u{08}")),
            ("rate", .double(2.5)), ("nan", .double(.nan)),
        ])
        let expected = #"{"z":1,"a":null,"list":[true,false,1.50,null],"raw":{"k":[1]},"empty":{},"none":[],"k\n":"v\b","rate":2.5,"nan":null}"#
        #expect(value.serialized() == expected)
        #expect(written { $0.append(value) } == expected)
    }

    @Test func appendingToABufferKeepsWhatItHeld() {
        var buffer = Array("prefix ".utf8)
        JSONBytes.appending(to: &buffer) { json in
            json.append("[")
            json.appendString("\u{0C}")
            json.append("]\n")
        }
        #expect(String(decoding: buffer, as: UTF8.self) == "prefix [\"\\f\"]\n")
    }
}
