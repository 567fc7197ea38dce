import Foundation
import Testing
import TallyCorpus

@Suite struct CorpusGeneratorTests {
    /// The lines of a corpus, without their `"\n"`.
    static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast().map { $0 }
    }

    static func object(_ line: ArraySlice<UInt8>) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] ?? [:]
    }

    @Test func sameSeedGivesIdenticalBytes() {
        let configuration = CorpusConfiguration(seed: 11, events: 3_000, invalidFraction: 0.02)
        #expect(CorpusGenerator.bytes(configuration) == CorpusGenerator.bytes(configuration))
    }

    @Test func differentSeedsGiveDifferentBytes() {
        let a = CorpusGenerator.bytes(CorpusConfiguration(seed: 1, events: 500))
        let b = CorpusGenerator.bytes(CorpusConfiguration(seed: 2, events: 500))
        #expect(a != b)
    }

    @Test func producesExactlyTheRequestedLinesAndLongerCorporaExtendShorterOnes() {
        let short = CorpusGenerator.bytes(CorpusConfiguration(seed: 5, events: 1_000))
        let long = CorpusGenerator.bytes(CorpusConfiguration(seed: 5, events: 4_000))
        #expect(Self.lines(short).count == 1_000)
        #expect(Self.lines(long).count == 4_000)
        #expect(long.starts(with: short))
        #expect(CorpusGenerator.bytes(CorpusConfiguration(seed: 5, events: 0)).isEmpty)
    }

    @Test func averageLineIsAbout360Bytes() {
        let bytes = CorpusGenerator.bytes(CorpusConfiguration(seed: 3, events: 20_000))
        let average = Double(bytes.count) / 20_000
        #expect(average > 330 && average < 400, "average line \(average) bytes")
    }

    @Test func writeHandsOverTheSameBytesAsNextLine() {
        let configuration = CorpusConfiguration(seed: 9, events: 5_000)
        var generator = CorpusGenerator(configuration)
        var written: [UInt8] = []
        generator.write { written.append(contentsOf: $0) }
        #expect(written == CorpusGenerator.bytes(configuration))
        #expect(generator.statistics.bytes == written.count)
    }

    @Test func everyLineFollowsTheContract() {
        let bytes = CorpusGenerator.bytes(CorpusConfiguration(seed: 21, events: 20_000))
        var faults: [String] = []
        for line in Self.lines(bytes) {
            if let reason = ContractCheck.reason(of: line) {
                faults.append("\(reason): \(String(decoding: line.prefix(200), as: UTF8.self))")
            }
        }
        #expect(faults.isEmpty, "\(faults.count) invalid lines, first: \(faults.first ?? "")")
    }

    @Test func invalidLinesFailForTheReasonTheyClaim() {
        var configuration = CorpusConfiguration(seed: 4, events: 20_000, invalidFraction: 0.05, includeTooLong: true)
        configuration.tooLongBytes = 64 << 10
        var generator = CorpusGenerator(configuration)
        var line: [UInt8] = []
        var mismatches: [String] = []
        var claimed = 0
        while generator.nextLine(into: &line) {
            let expected = generator.lastInvalidReason
            if expected != nil { claimed += 1 }
            let found = ContractCheck.reason(of: line.dropLast(), maxLineBytes: 60 << 10)
            if found != expected {
                mismatches.append("claimed \(expected ?? "valid"), found \(found ?? "valid"): \(String(decoding: line.prefix(160), as: UTF8.self))")
            }
            line.removeAll(keepingCapacity: true)
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.first ?? "")")
        let statistics = generator.statistics
        #expect(statistics.invalidLines == claimed)
        #expect(Set(statistics.invalidByReason.keys) == [
            "too_long", "invalid_utf8", "not_json", "not_object", "missing_type", "unknown_type",
            "missing_field", "bad_ts", "wrong_type", "out_of_range", "bad_enum",
        ])
        #expect(claimed > 800 && claimed < 1_200, "\(claimed) invalid lines for 5 % of 20 000")
    }

    @Test func statisticsCountWhatWasProduced() {
        var generator = CorpusGenerator(CorpusConfiguration(seed: 8, events: 10_000, invalidFraction: 0.01))
        var bytes: [UInt8] = []
        while generator.nextLine(into: &bytes) {}
        var types: [String: Int] = [:]
        var ends: [String: Int] = [:]
        var offsets = 0
        var epochs = 0
        for line in Self.lines(bytes) where ContractCheck.reason(of: line) == nil {
            let object = Self.object(line)
            let type = object["type"] as! String
            types[type, default: 0] += 1
            if type == "session_end" { ends[object["status"] as! String, default: 0] += 1 }
            if let ts = object["ts"] as? String, !ts.hasSuffix("Z") { offsets += 1 }
            if object["ts"] is NSNumber { epochs += 1 }
        }
        let statistics = generator.statistics
        #expect(statistics.lines == 10_000)
        #expect(statistics.bytes == bytes.count)
        #expect(statistics.eventsByType == types)
        #expect(statistics.sessionEndsByStatus == ends)
        #expect(statistics.offsetTimestamps == offsets)
        #expect(statistics.epochMillisTimestamps == epochs)
        #expect(statistics.validLines + statistics.invalidLines == 10_000)
    }

    @Test func shortSessionsAreOneTurnWithoutToolsAccessOrFeedback() {
        let configuration = CorpusConfiguration(seed: 6, events: 20_000, concurrency: 500, shortSessions: true)
        var eventsBySession: [String: Set<String>] = [:]
        var types: Set<String> = []
        for line in Self.lines(CorpusGenerator.bytes(configuration)) {
            #expect(ContractCheck.reason(of: line) == nil)
            let object = Self.object(line)
            types.insert(object["type"] as! String)
            guard let session = object["session_id"] as? String else { continue }
            eventsBySession[session, default: []].insert(object["event_id"] as? String ?? "\(line.hashValue)")
        }
        #expect(types.isSubset(of: ["session_start", "message", "llm_call", "session_end", "log"]))
        let sizes = eventsBySession.values.map(\.count).sorted()
        #expect(sizes.count > 3_000, "\(sizes.count) sessions in 20 000 lines")
        #expect(sizes[sizes.count / 2] == 5, "median session of \(sizes[sizes.count / 2]) events")
        #expect(sizes.last! <= 9, "a session of \(sizes.last!) events")
        #expect(CorpusGenerator.bytes(configuration) != CorpusGenerator.bytes(CorpusConfiguration(seed: 6, events: 20_000, concurrency: 500)))
    }
}
