import Testing
import TallyCore
import TallyCorpus

/// `decode(_:appendingTo:)` reads every line exactly as `decode(_:)` does.
@Suite struct AppendingDecodeTests {
    @Test func appendingGivesTheEventsAndReasonsOfDecode() {
        // A generated corpus with invalid lines of every kind and too-long lines, plus blank ones.
        var configuration = CorpusConfiguration(seed: 23, events: 3_000)
        configuration.invalidFraction = 0.05
        configuration.includeTooLong = true
        let bytes = CorpusGenerator.bytes(configuration)
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init) + [[], Array("  \t".utf8)]
        var single = EventDecoder(maxLineBytes: 4_096, keepsUnfoldedText: false)
        var appending = EventDecoder(maxLineBytes: 4_096, keepsUnfoldedText: false)
        var events: [Event] = []
        var outcomes: [String: Int] = [:]
        for line in lines {
            let expected = single.decode(line)
            let outcome = line.withUnsafeBytes { appending.decode($0, appendingTo: &events) }
            switch (expected, outcome) {
            case (.event(let event), .appended):
                #expect(events.last == event)
                outcomes["event", default: 0] += 1
            case (.invalid(let reason), .invalid(let same)):
                #expect(reason == same)
                outcomes[reason.rawValue, default: 0] += 1
            case (.blank, .blank):
                outcomes["blank", default: 0] += 1
            default:
                Issue.record("decode gave \(expected), appending \(outcome)")
            }
        }
        #expect(events.count == outcomes["event"])
        #expect(outcomes["blank", default: 0] >= 2)
        #expect(outcomes.keys.count >= 6, "valid, blank and several invalid reasons: \(outcomes)")
    }
}
