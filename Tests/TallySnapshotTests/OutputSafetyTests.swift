import Testing
import TallyCore
@testable import TallySnapshot

/// Text from events reaches terminals and spreadsheets: neither may run it.
@Suite struct OutputSafetyTests {
    @Test func tableCellsShowControlCharactersEscaped() {
        let hostile = "\u{1B}]0;owned\u{07}\u{1B}[2Jtext\rover\u{7F}\u{9B}31m"
        let shown = TableText.cell(.string(hostile))
        #expect(shown == #"\x1B]0;owned\x07\x1B[2Jtext over\x7F\u009B31m"#)
        #expect(!shown.unicodeScalars.contains { $0.value < 0x20 || (0x7F..<0xA0).contains($0.value) })
    }

    @Test func tableCellsShowBidiControlsEscaped() {
        // "invoice_exe.pdf" shown as "invoice_fdp.exe" by a right-to-left override.
        let shown = TableText.cell(.string("invoice_\u{202E}fdp.exe \u{2066}x\u{2069} \u{200F}"))
        #expect(shown == #"invoice_\u202Efdp.exe \u2066x\u2069 \u200F"#)
        #expect(TableText.cell(.string("עברית عربي")) == "עברית عربي")
    }

    @Test func tableCellsKeepPrintableTextAndTurnLineBreaksIntoSpaces() {
        #expect(TableText.cell(.string("héllo 世界 👋")) == "héllo 世界 👋")
        #expect(TableText.cell(.string("a\nb\tc\r\nd")) == "a b c  d")
    }

    @Test func verticalTablesEscapeKeysFromEventsToo() {
        let object = JSONValue.object([("models", .object([("evil\u{1B}[2J", .number("1"))]))])
        #expect(TableText.vertical(object) == #"models.evil\x1B[2J  1"# + "\n")
    }

    @Test func csvCellsThatSpreadsheetsWouldRunAreNeutralised() {
        #expect(CSV.cell(.string("=HYPERLINK(\"http://x\",\"y\")")) == #""'=HYPERLINK(""http://x"",""y"")""#)
        #expect(CSV.cell(.string("+1")) == "'+1")
        #expect(CSV.cell(.string("-cmd")) == "'-cmd")
        #expect(CSV.cell(.string("@SUM(A1)")) == "'@SUM(A1)")
        #expect(CSV.cell(.string("\tx")) == "'\tx")
        #expect(CSV.cell(.string("\rx")) == "\"'\rx\"")
        #expect(CSV.cell(.string("plain")) == "plain")
        #expect(CSV.cell(.string("a=b")) == "a=b")
        // Numbers are numbers: a negative one is not a formula.
        #expect(CSV.cell(.number("-5")) == "-5")
    }
}
