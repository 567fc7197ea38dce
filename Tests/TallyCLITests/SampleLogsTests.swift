import Testing
import TallyCorpus
import TallySpool

/// SampleLogs/ is produced by the corpus generator with fixed seeds and written by
/// `tally append`; this checks that its segments still hold exactly what the generator
/// makes, so a change to the generator cannot leave a stale sample behind.
@Suite struct SampleLogsTests {
    /// The producers of SampleLogs/ and the generator settings each was written with.
    static let producers: [(producer: String, configuration: CorpusConfiguration, command: String)] = [
        (
            "chat-api",
            CorpusConfiguration(seed: 2025, events: 12_000, concurrency: 3, invalidFraction: 0.01, includeTooLong: true),
            "tally generate --seed 2025 --events 12000 --invalid-fraction 0.01 --include-too-long --concurrency 3 | tally append --spool SampleLogs --producer chat-api"
        ),
        (
            "agent-worker",
            CorpusConfiguration(seed: 2026, events: 6_000, concurrency: 24, invalidFraction: 0.005),
            "tally generate --seed 2026 --events 6000 --invalid-fraction 0.005 --concurrency 24 | tally append --spool SampleLogs --producer agent-worker"
        ),
    ]

    @Test func sampleLogsHoldExactlyWhatTheGeneratorMakes() throws {
        let directory = checkoutRoot + "/SampleLogs"
        let segments = try Spool(directory: directory).segments()
        let regenerate = "rm -rf SampleLogs/* && " + Self.producers.map(\.command).joined(separator: " && ")
        #expect(Set(segments.map(\.id.producer)) == Set(Self.producers.map(\.producer)), "regenerate with: \(regenerate)")
        for (producer, configuration, _) in Self.producers {
            var stored: [UInt8] = []
            for segment in segments where segment.id.producer == producer {
                #expect(segment.isSealed, "\(segment.path) is not sealed")
                let end = try SegmentReader(path: segment.path).read { event in
                    if case .frame(let frame) = event { try frame.forEachPiece { stored.append(contentsOf: $0) } }
                }
                #expect(end.tornTail == nil)
            }
            let expected = CorpusGenerator.bytes(configuration)
            #expect(stored == expected, "SampleLogs/\(producer) is out of date; regenerate with: \(regenerate)")
        }
    }

    @Test func sampleLogsStayUnderTwoMegabytes() throws {
        let directory = checkoutRoot + "/SampleLogs"
        let total = try Spool(directory: directory).segments().reduce(Int64(0)) { $0 + $1.size }
        #expect(total > 0)
        #expect(total < 2_000_000)
    }
}
