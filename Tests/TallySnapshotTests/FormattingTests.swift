import Testing
import TallyCore
@testable import TallySnapshot

@Test func moneyIsPrintedExactlyFromNanoDollars() {
    #expect(Money.usd(nanos: 123_450) == "0.00012345")
    #expect(Money.usd(nanos: 0) == "0")
    #expect(Money.usd(nanos: 2_000_000_000) == "2")
    #expect(Money.usd(nanos: 2_500_123_450) == "2.50012345")
    #expect(Money.usd(nanos: 1) == "0.000000001")
    #expect(Money.usd(nanos: 999_999_999) == "0.999999999")
    #expect(Money.usd(nanos: -1_500_000_000) == "-1.5")
    #expect(Money.usd(nanos: Int64.max) == "9223372036.854775807")
    #expect(Money.usd(nanos: Int64.min) == "-9223372036.854775808")
}

@Test func timesAreRFC3339UTCWithMilliseconds() {
    #expect(Timestamp.rfc3339(ms: 1_761_229_800_123) == "2025-10-23T14:30:00.123Z")
    #expect(Timestamp.rfc3339(ms: 0) == "1970-01-01T00:00:00.000Z")
    #expect(Timestamp.rfc3339(ms: -1) == "1969-12-31T23:59:59.999Z")
    #expect(Timestamp.rfc3339(ms: 951_782_400_000) == "2000-02-29T00:00:00.000Z")
}

@Test func timeArgumentsParseRFC3339DatesAndEpochMilliseconds() {
    #expect(Timestamp.parse("2025-10-23T14:30:00.123Z") == 1_761_229_800_123)
    #expect(Timestamp.parse("2025-10-23T14:30:00Z") == 1_761_229_800_000)
    #expect(Timestamp.parse("2025-10-23T16:30:00.1239+02:00") == 1_761_229_800_123)
    #expect(Timestamp.parse("2025-10-23") == 1_761_177_600_000)
    #expect(Timestamp.parse("1761229800000") == 1_761_229_800_000)
    #expect(Timestamp.parse("2025-10-23T14:30:00") == nil)
    #expect(Timestamp.parse("2025-02-30") == nil)
    #expect(Timestamp.parse("yesterday") == nil)
}

@Test func humanDurationsForTables() {
    #expect(Timestamp.humanDuration(ms: 850) == "850ms")
    #expect(Timestamp.humanDuration(ms: 12_340) == "12.3s")
    #expect(Timestamp.humanDuration(ms: 245_000) == "4m05s")
    #expect(Timestamp.humanDuration(ms: 10_920_000) == "3h02m")
    #expect(Timestamp.humanDuration(ms: 183_600_000) == "2d03h")
}

@Test func jsonObjectsKeepTheirKeyOrder() {
    let value = JSONValue.object([("z", .int(1)), ("a", .null), ("m", .array([.bool(true), .money(5)]))])
    #expect(value.serialized() == #"{"z":1,"a":null,"m":[true,0.000000005]}"#)
}

@Test func jsonBytesWriteTheTextOfJSONValue() {
    let strings: [(text: String, literal: String)] = [
        ("", #""""#), ("plain", #""plain""#), ("\u{7F}é", "\"\u{7F}é\""),
        ("a\"b\\c\nd\re\tf\u{08}\u{0C}\u{01}\u{1F}g€😀", #""a\"b\\c\nd\re\tf\b\f\u0001\u001fg€😀""#),
        ("\"mid\\", #""\"mid\\""#), ("\n", #""\n""#),
    ]
    for (text, literal) in strings {
        var json = JSONBytes()
        json.appendString(text)
        #expect(String(decoding: json.bytes, as: UTF8.self) == literal)
        #expect(JSONValue.string(text).serialized() == literal)
    }
    for value: Int64? in [0, 7, -7, 1_000, Int64.max, Int64.min, nil] {
        var json = JSONBytes()
        json.appendInteger(value)
        #expect(String(decoding: json.bytes, as: UTF8.self) == JSONValue.int(value).serialized())
        json.removeAll()
        json.appendMoney(nanos: value)
        #expect(String(decoding: json.bytes, as: UTF8.self) == JSONValue.money(value).serialized())
    }
    for nanos: Int64 in [1, 10, 123_450, 999_999_999, 1_000_000_000, 2_500_123_450, -1_500_000_000] {
        var json = JSONBytes()
        json.appendMoney(nanos: nanos)
        #expect(String(decoding: json.bytes, as: UTF8.self) == Money.usd(nanos: nanos))
    }
}

@Test func sessionModelsAndToolsAreWrittenSortedByName() {
    var json = JSONBytes()
    Records.writeSessionModels([
        SessionModelUsage(model: "m-b", calls: 2, inputTokens: nil, outputTokens: 5, costNanos: 1_250_000_000),
        SessionModelUsage(model: "m-\"a", calls: 1, inputTokens: 10, outputTokens: 0, costNanos: 0),
    ], to: &json)
    #expect(String(decoding: json.bytes, as: UTF8.self) == #"{"m-\"a":{"calls":1,"input_tokens":10,"output_tokens":0,"cost_usd":0},"m-b":{"calls":2,"input_tokens":null,"output_tokens":5,"cost_usd":1.25}}"#)
    json.removeAll()
    Records.writeSessionTools([
        SessionToolUsage(toolName: "search", calls: 3, errors: 1, timeouts: 0),
        SessionToolUsage(toolName: "fetch", calls: 1, errors: 0, timeouts: 1),
    ], to: &json)
    #expect(String(decoding: json.bytes, as: UTF8.self) == #"{"fetch":{"calls":1,"errors":0,"timeouts":1},"search":{"calls":3,"errors":1,"timeouts":0}}"#)
    json.removeAll()
    Records.writeSessionTools([], to: &json)
    #expect(String(decoding: json.bytes, as: UTF8.self) == "{}")
}

@Test func csvQuotesOnlyWhatNeedsIt() {
    #expect(CSV.cell(.string("plain")) == "plain")
    #expect(CSV.cell(.string("a,b")) == "\"a,b\"")
    #expect(CSV.cell(.string("say \"hi\"")) == "\"say \"\"hi\"\"\"")
    #expect(CSV.cell(.string("two\nlines")) == "\"two\nlines\"")
    #expect(CSV.cell(.null) == "")
    #expect(CSV.cell(.object([("k", .int(1)), ("l", .int(2))])) == "\"{\"\"k\"\":1,\"\"l\"\":2}\"")
}

@Test func tablesShrinkTheWideColumnToEightyCharacters() {
    let columns = [
        TableColumn(header: "ID", rightAligned: false, shrinkable: true) { $0.text("id") },
        TableColumn(header: "N", rightAligned: true) { $0.text("n") },
    ]
    let id = String(repeating: "x", count: 100)
    let text = TableText.render(columns: columns, rows: [[id, "7"], ["short", "12"]])
    let lines = text.split(separator: "\n")
    #expect(lines.count == 3)
    #expect(lines.allSatisfy { $0.count <= 80 })
    #expect(lines[1] == String(repeating: "x", count: 75) + "…" + "   7")
    #expect(lines[2] == "short" + String(repeating: " ", count: 71) + "  12")
}
