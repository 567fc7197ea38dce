import ArgumentParser
import Foundation
import TallyCorpus

/// `tally generate --seed N --events N [--invalid-fraction F] [--start TIME]`: writes a
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
        guard Self.epochMillis(start) != nil else {
            throw ValidationError("--start: \"\(start)\" is not RFC 3339 with an offset (2025-10-23T00:00:00Z) nor epoch milliseconds")
        }
    }

    func run() throws {
        var generator = CorpusGenerator(CorpusConfiguration(
            seed: seed, events: events, startTime: Self.epochMillis(start) ?? 0, concurrency: concurrency,
            invalidFraction: invalidFraction, duplicateFraction: duplicateFraction, includeTooLong: includeTooLong))
        let output = FileHandle.standardOutput
        var failure: Error?
        generator.write { chunk in
            guard failure == nil else { return }
            do { try output.write(contentsOf: chunk) } catch { failure = error }
        }
        if let failure {
            FileHandle.standardError.write(Data("tally generate: cannot write to standard output: \(failure)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// `2025-10-23T00:00:00Z`, `2025-10-23T02:00:00.250+02:00` or `1761177600000` as epoch milliseconds.
    static func epochMillis(_ text: String) -> Int64? {
        if let millis = Int64(text) { return millis }
        let bytes = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[from..<from + count] {
                guard (48...57).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        func at(_ index: Int, _ character: Character) -> Bool {
            index < bytes.count && bytes[index] == character.asciiValue!
        }
        guard let year = number(0, 4), at(4, "-"), let month = number(5, 2), at(7, "-"), let day = number(8, 2),
              at(10, "T") || at(10, "t"), let hour = number(11, 2), at(13, ":"), let minute = number(14, 2),
              at(16, ":"), let second = number(17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }
        var index = 19
        var millis = 0
        if at(index, ".") {
            index += 1
            var digits = 0
            while index < bytes.count, (48...57).contains(bytes[index]) {
                if digits < 3 { millis = millis * 10 + Int(bytes[index] - 48) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            if digits < 3 { for _ in digits..<3 { millis *= 10 } }
        }
        var offsetMinutes = 0
        if at(index, "Z") || at(index, "z") {
            index += 1
        } else if at(index, "+") || at(index, "-") {
            guard let hours = number(index + 1, 2), at(index + 3, ":"), let minutes = number(index + 4, 2) else { return nil }
            offsetMinutes = (hours * 60 + minutes) * (at(index, "-") ? -1 : 1)
            index += 6
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        // Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = Int64(era * 146_097 + dayOfEra - 719_468)
        return days * 86_400_000 + Int64(hour * 3_600_000 + minute * 60_000 + second * 1000 + millis)
            - Int64(offsetMinutes) * 60_000
    }
}
