import ArgumentParser
import TallySpool

#if canImport(Glibc)
import Glibc
#endif

/// `tally append`: reads NDJSON from standard input and appends it to the spool,
/// returning once everything is durable (the segment is sealed on exit).
struct AppendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Append NDJSON lines from standard input to a spool.",
        discussion: """
            Lines are appended as they are (invalid JSON or UTF-8 included; the consumer \
            dead-letters them). A last line without a newline gets one. A line longer than \
            --max-line-bytes is still appended, as a zstd frame of its own, without holding it \
            whole in memory. Empty input writes nothing. Exits 0 once all lines are durable.
            """)

    @Option(help: "The spool directory (created if missing).")
    var spool: String?

    @Option(help: "Producer name in segment file names: A-Z a-z 0-9 _ -.")
    var producer: String = "tally"

    @Option(help: "Pipeline file whose `spool` and `segment:` settings to use.")
    var pipeline: String?

    @Option(help: "always | interval | never.")
    var fsync: String = "always"

    @Option(name: .customLong("fsync-interval"), help: "With --fsync interval: at most this much is lost on power loss.")
    var fsyncInterval: String = "1s"

    @Option(help: "zstd compression level.")
    var level: Int = 3

    @Option(name: .customLong("max-segment-bytes"), help: "Seal a segment past this size (B, KiB, MiB, GiB).")
    var maxSegmentBytes: String = "64MiB"

    @Option(name: .customLong("max-segment-age"), help: "Seal a segment past this age (ms, s, m, h, d).")
    var maxSegmentAge: String = "5m"

    @Option(name: .customLong("max-line-bytes"), help: "Lines longer than this are streamed into a frame of their own.")
    var maxLineBytes: String = "1MiB"

    func run() throws {
        guard let spool else { fail("--spool DIR is required", code: 2) }
        guard let interval = parseDuration(fsyncInterval), interval > .zero else {
            fail("--fsync-interval: not a duration: \(fsyncInterval)", code: 2)
        }
        guard let segmentBytes = parseSize(maxSegmentBytes) else {
            fail("--max-segment-bytes: not a size: \(maxSegmentBytes)", code: 2)
        }
        guard let segmentAge = parseDuration(maxSegmentAge) else {
            fail("--max-segment-age: not a duration: \(maxSegmentAge)", code: 2)
        }
        guard let lineLimit = parseSize(maxLineBytes) else {
            fail("--max-line-bytes: not a size: \(maxLineBytes)", code: 2)
        }
        var configuration = SpoolConfiguration()
        configuration.compressionLevel = level
        configuration.maxSegmentBytes = Int64(segmentBytes)
        configuration.maxSegmentAge = segmentAge
        switch fsync {
        case "always": configuration.fsync = .always
        case "interval": configuration.fsync = .interval(interval)
        case "never": configuration.fsync = .never
        default: fail("--fsync: must be always, interval or never: \(fsync)", code: 2)
        }
        // A trickle is appended within maxDelay, then synced per the fsync mode.
        var maxDelay = Duration.milliseconds(100)
        if case .interval(let d) = configuration.fsync { maxDelay = min(maxDelay, d / 4) }
        let writer: SpoolWriter
        do {
            writer = try SpoolWriter(directory: spool, producer: producer, configuration: configuration)
        } catch {
            fail("\(error)", code: error.code == .invalidArgument ? 2 : 1)
        }
        do {
            _ = try writer.appendLines(from: STDIN_FILENO, maxLineBytes: lineLimit, maxDelay: maxDelay)
            try writer.close()
        } catch {
            try? writer.close()
            fail("\(error)", code: 1)
        }
    }
}

/// Prints `tally: <message>` to standard error and exits with `code`.
private func fail(_ message: String, code: Int32) -> Never {
    var line = "tally: " + message + "\n"
    line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
    exit(code)
}

/// `64MiB`, `512KiB`, `1GiB`, `100B` or a plain number of bytes.
private func parseSize(_ text: String) -> Int? {
    let units: [(String, Int)] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("B", 1)]
    for (suffix, factor) in units where text.hasSuffix(suffix) {
        guard let n = Int(text.dropLast(suffix.count)), n > 0 else { return nil }
        return n.multipliedReportingOverflow(by: factor).overflow ? nil : n * factor
    }
    guard let n = Int(text), n > 0 else { return nil }
    return n
}

/// `500ms`, `1s`, `5m`, `1h`, `7d`.
private func parseDuration(_ text: String) -> Duration? {
    let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
    for (suffix, ms) in units where text.hasSuffix(suffix) {
        guard let n = Int64(text.dropLast(suffix.count)), n >= 0 else { continue }
        return .milliseconds(n * ms)
    }
    return nil
}
