import Testing
import TallyCore

/// RFC 8259 §8.1 lets a parser ignore a UTF-8 byte order mark; files saved by some editors and
/// Windows tools start with one.
@Suite struct ByteOrderMarkTests {
    typealias H = DecoderHarness
    static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
    static let line = #"{"type":"session_start","ts":0,"session_id":"s"}"#

    @Test func aByteOrderMarkAtTheStartOfALineIsIgnored() {
        let withMark = H.decode(bytes: Self.bom + Array(Self.line.utf8))
        #expect(withMark == H.decode(Self.line))
        guard case .event(let event) = withMark else {
            Issue.record("a line that starts with a byte order mark decodes: \(withMark)")
            return
        }
        #expect(event.sessionID == "s")
    }

    @Test func aByteOrderMarkAloneIsABlankLine() {
        #expect(H.decode(bytes: Self.bom) == .blank)
        #expect(H.decode(bytes: Self.bom + Array("  ".utf8)) == .blank)
    }

    @Test func aByteOrderMarkElsewhereIsNotIgnored() {
        // After leading space, or twice, it is not a BOM but a stray U+FEFF: not JSON.
        #expect(H.decode(bytes: Array(" ".utf8) + Self.bom + Array(Self.line.utf8)) == .invalid(.notJSON))
        #expect(H.decode(bytes: Self.bom + Self.bom + Array(Self.line.utf8)) == .invalid(.notJSON))
    }
}
