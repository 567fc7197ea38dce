import Testing
import TallyCore
@testable import TallySnapshot

/// A snapshot whose token and cost totals passed `Int64.max`: the manifest's summary names them,
/// and every query that shows one fails naming it instead of printing a wrong number.
@Suite struct TotalOverflowQueryTests {
    @Test func queriesThatShowAnOverflowedTotalFailNamingIt() throws {
        let directory = temporaryDirectory()
        defer { removeTree(directory) }
        var settings = FoldSettings()
        settings.watermarkQuorum = 1
        var fold = FoldState(settings: settings)
        for (index, session) in ["a", "b"].enumerated() {
            fold.fold(Event(
                timestamp: t0 + Int64(index), sessionID: session, context: SessionContext(userID: "u"),
                payload: .llmCall(.init(model: "m", inputTokens: Int64.max / 2 + 1, outputTokens: 5, costNanos: 10))))
        }
        let (writer, _) = try SnapshotWriter.open(directory: directory, keep: 2)
        try writer.write(&fold, metadata: SnapshotMetadata(snapshotAt: t0))
        let reader = try SnapshotReader(path: directory)

        let summary = reader.summaryWithHealth
        #expect(summary["overflow"] == .array([.string("input_tokens"), .string("total_tokens")]))
        #expect(summary["input_tokens"]?.isNull == true)
        #expect(summary["output_tokens"]?.isNull == false)
        #expect(summary["cost_usd"]?.isNull == false)

        let subjects: [SnapshotQuery.Subject] = [.summary, .sessions, .session("a"), .models, .rollups(by: .user), .timeline]
        for subject in subjects {
            do {
                _ = try reader.output(SnapshotQuery(subject), format: .json)
                Issue.record("\(subject) showed an overflowed total")
            } catch let error as SnapshotError {
                #expect(error.code == .totalOverflow)
                #expect(error.message.contains("input_tokens"), "\(error.message)")
                #expect(!error.message.contains("total_tokens"), "only `--sort tokens` shows total_tokens")
            }
        }
        do {
            _ = try reader.output(SnapshotQuery(.sessions, sort: .tokens), format: .csv)
            Issue.record("sessions --sort tokens ordered by an overflowed total")
        } catch let error as SnapshotError {
            #expect(error.message.contains("input_tokens, total_tokens"), "\(error.message)")
        }
        // Queries that show no token or cost total still answer.
        #expect(try reader.output(SnapshotQuery(.tools), format: .json) == "[]\n")
        _ = try reader.output(SnapshotQuery(.alerts), format: .json)
    }
}

