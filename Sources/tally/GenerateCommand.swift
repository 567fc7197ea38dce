import ArgumentParser
import TallyCore
import Foundation
import TallyCorpus

/// `tally generate --seed N --events N [--invalid-fraction F] [--start TIME] [--short-sessions]`: writes a
/// deterministic synthetic NDJSON corpus to standard output.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a deterministic synthetic NDJSON event corpus to standard output.",
        discussion: """
            Many concurrent chat sessions of an assistant calling MCP tools, about 360 bytes a line. \
            The same options give the same bytes.
            """
    )

    @Option(help: "Seed of the generator.")
    var seed: UInt64 = 1

    @Option(help: "Number of lines to write (invalid lines and duplicate copies included).")
    var events: Int

    @Option(help: "Share of lines (0…1) that are invalid, spread over every reason.")
    var invalidFraction: Double = 0

    @Option(help: "Share of events (0…1) resent with the same event_id a few seconds later.")
    var duplicateFraction: Double = 0.003

    @Flag(help: "Include lines longer than 1 MiB among the invalid ones.")
    var includeTooLong = false

    @Flag(help: "Make every session one turn of about five events (no access checks, tools, logs or feedback).")
    var shortSessions = false

    @Option(help: "Sessions in flight at once; fewer stretch the corpus over more days.")
    var concurrency: Int = 48

    @Option(help: "Event time of the first session: RFC 3339 (with Z or an offset) or epoch milliseconds.")
    var start = "2025-10-23T00:00:00Z"

    func validate() throws {
        guard events >= 0 else { throw ValidationError("--events must be 0 or more, not \(events)") }
        guard (0...1).contains(invalidFraction) else {
            throw ValidationError("--invalid-fraction must lie in 0…1, not \(invalidFraction)")
        }
        guard (0...1).contains(duplicateFraction) else {
            throw ValidationError("--duplicate-fraction must lie in 0…1, not \(duplicateFraction)")
        }
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be 1 or more, not \(concurrency)") }
        guard EventTime.parse(start) != nil else {
            throw ValidationError("--start: \"\(start)\" is not RFC 3339 with an offset (2025-10-23T00:00:00Z) nor epoch milliseconds")
        }
    }

    func run() throws {
        var generator = CorpusGenerator(CorpusConfiguration(
            seed: seed, events: events, startTime: EventTime.parse(start) ?? 0, concurrency: concurrency,
            invalidFraction: invalidFraction, duplicateFraction: duplicateFraction, includeTooLong: includeTooLong,
            shortSessions: shortSessions))
        let output = FileHandle.standardOutput
        var failure: Error?
        generator.write { chunk in
            guard failure == nil else { return }
            do { try output.write(contentsOf: chunk) } catch { failure = error }
        }
        if let failure { throw CommandFailure(.failure, "cannot write to standard output: \(failure)") }
    }
}
