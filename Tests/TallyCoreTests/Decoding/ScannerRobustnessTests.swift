import Testing
import TallyCore

/// Shapes that exercise the scanner's edges: deep nesting, truncation, strings at the line's end.
@Suite struct ScannerRobustnessTests {
    typealias H = DecoderHarness

    let valid = #"{"type":"message","ts":"2025-10-23T14:30:00.123+05:30","session_id":"s-é","role":"user","content":"naïve café \n 😀 done","x":[1,{"y":null}]}"#

    @Test func nestingDeeperThan64LevelsIsScannedIteratively() {
        let depth = 5_000
        let deep = String(repeating: "[{\"k\":", count: depth) + "1" + String(repeating: "}]", count: depth)
        let line = #"{"type":"session_start","ts":0,"session_id":"s","deep":\#(deep)}"#
        #expect(H.event(line) == Event(timestamp: 0, sessionID: "s", payload: .sessionStart))
        // The same with one bracket closed by the wrong kind, deep inside.
        let wrong = String(repeating: "[{\"k\":", count: depth) + "1" + String(repeating: "}]", count: depth - 100)
            + "]}" + String(repeating: "}]", count: 99)
        #expect(H.reason(#"{"type":"session_start","ts":0,"session_id":"s","deep":\#(wrong)}"#) == .notJSON)
        // A decoder that met a deep line decodes the next line normally.
        var decoder = EventDecoder()
        _ = decoder.decode(Array(line.utf8))
        #expect(decoder.decode(Array(valid.utf8)) != .invalid(.notJSON))
    }

    @Test func everyTruncationOfAValidLineIsNotJSONOrInvalidUTF8() {
        let bytes = Array(valid.utf8)
        guard case .event = H.decode(bytes: bytes) else {
            Issue.record("the whole line is valid")
            return
        }
        for length in 1..<bytes.count {
            let prefix = Array(bytes[..<length])
            // Cut inside a multi-byte character, the line is not UTF-8 any more.
            let cutInsideCharacter = (bytes[length] & 0xC0) == 0x80
            let expected: InvalidReason = cutInsideCharacter ? .invalidUTF8 : .notJSON
            #expect(H.decode(bytes: prefix) == .invalid(expected), "prefix of \(length) bytes")
        }
    }

    @Test func stringsEndingInTheLastBytesOfTheLineAreScanned() {
        // Values and keys of every length up to 20 at the very end, where the scanner goes byte by byte.
        for count in 0...20 {
            let text = String(repeating: "é", count: count / 2) + String(repeating: "a", count: count % 2)
            let line = #"{"type":"log","ts":0,"level":"info","message":"\#(text)"}"#
            #expect(H.event(line)?.payload == .log(Event.Log(level: .info, message: text)), "\(count)")
        }
    }

    @Test func decoderIsReusableAcrossLinesOfAnyOutcome() {
        var decoder = EventDecoder(maxLineBytes: 300)
        let lines = [valid, "", "{", "[1]", String(repeating: " ", count: 400), valid, #"{"type":"x"}"#, valid]
        let results = lines.map { decoder.decode(Array($0.utf8)) }
        #expect(results[1] == .blank)
        #expect(results[2] == .invalid(.notJSON))
        #expect(results[3] == .invalid(.notObject))
        #expect(results[4] == .invalid(.tooLong))
        #expect(results[6] == .invalid(.unknownType))
        #expect(results[0] == results[5])
        #expect(results[0] == results[7])
        #expect(results[0] == .event(Event(
            timestamp: 1_761_210_000_123, sessionID: "s-é",
            payload: .message(Event.Message(role: .user, contentBytes: 24)))))
    }
}
