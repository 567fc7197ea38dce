import ArgumentParser
import TallyPipeline
import TallySpool

import Glibc

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
            whole in memory. Empty input writes nothing. Exits 0 once all lines are durable. \
            A failure (a full disk, a failed fsync) exits 1 with one line that says how many of \
            the lines read are in complete frames in the spool (they survive a crash, so a \
            retry can skip them): tally: appended 16,479 of 40,000 lines to /spool; cannot \
            write /spool/…: no space left on device.
            """)

    @Option(help: "The spool directory (created if missing); default: the pipeline's `spool`.")
    var spool: String?

    @Option(help: "Producer name in segment file names: A-Z a-z 0-9 _ -.")
    var producer: String = "tally"

    @Option(help: ArgumentHelp("Pipeline file whose `spool`, `segment:` and `limits:` settings to use; flags override them.", valueName: "FILE"))
    var pipeline: String?

    @Option(help: "always | interval | never (default always).")
    var fsync: String?

    @Option(name: .customLong("fsync-interval"), help: "With --fsync interval: at most this much is lost on power loss (default 1s).")
    var fsyncInterval: String?

    @Option(help: "zstd compression level, 1-19 (default 3).")
    var level: Int?

    @Option(name: .customLong("max-segment-bytes"), help: "Seal a segment past this size (B, KiB, MiB, GiB; default 64MiB).")
    var maxSegmentBytes: String?

    @Option(name: .customLong("max-segment-age"), help: "Seal a segment past this age (ms, s, m, h, d; default 5m).")
    var maxSegmentAge: String?

    @Option(name: .customLong("max-line-bytes"), help: "Lines longer than this get a frame of their own (default 1MiB).")
    var maxLineBytes: String?

    func run() throws {
        // Pipeline file first (or the defaults of pipeline.md), then the flags on top.
        var settings = PipelineSettings.defaults(relativeTo: ".")
        if let pipeline { settings = try PipelineSettings.load(path: pipeline) }
        guard let spool = spool ?? (pipeline != nil ? settings.spool : nil) else {
            throw CommandFailure(.badUsage, "give --spool DIR or --pipeline FILE")
        }
        var segment = settings.segment
        if let fsyncInterval {
            guard let ms = PipelineSettings.durationMs(fsyncInterval), ms > 0 else {
                throw CommandFailure(.badUsage, "--fsync-interval: not a duration: \(fsyncInterval)")
            }
            segment.fsyncIntervalMs = ms
        }
        if let maxSegmentBytes {
            guard let bytes = PipelineSettings.size(maxSegmentBytes) else {
                throw CommandFailure(.badUsage, "--max-segment-bytes: not a size: \(maxSegmentBytes)")
            }
            segment.maxBytes = bytes
        }
        if let maxSegmentAge {
            guard let ms = PipelineSettings.durationMs(maxSegmentAge) else {
                throw CommandFailure(.badUsage, "--max-segment-age: not a duration: \(maxSegmentAge)")
            }
            segment.maxAgeMs = ms
        }
        var lineLimit = settings.fold.maxLineBytes
        if let maxLineBytes {
            guard let bytes = PipelineSettings.size(maxLineBytes) else {
                throw CommandFailure(.badUsage, "--max-line-bytes: not a size: \(maxLineBytes)")
            }
            guard PipelineSettings.maxLineBytesRange.contains(bytes) else {
                throw CommandFailure(.badUsage, "--max-line-bytes: \(bytes) is out of range (1 B…256 MiB)")
            }
            lineLimit = bytes
        }
        var configuration = SpoolConfiguration()
        configuration.compressionLevel = level ?? Int(segment.compressionLevel)
        configuration.maxSegmentBytes = Int64(segment.maxBytes)
        configuration.maxSegmentAge = .milliseconds(segment.maxAgeMs)
        let mode = fsync ?? segment.fsync.rawValue
        switch mode {
        case "always": configuration.fsync = .always
        case "interval": configuration.fsync = .interval(.milliseconds(segment.fsyncIntervalMs))
        case "never": configuration.fsync = .never
        default: throw CommandFailure(.badUsage, "--fsync: must be always, interval or never: \(mode)")
        }
        // A trickle is appended within maxDelay, then synced per the fsync mode.
        var maxDelay = Duration.milliseconds(100)
        if case .interval(let d) = configuration.fsync { maxDelay = min(maxDelay, d / 4) }
        // A bad producer name or size is bad usage (2); a spool that cannot be written, a failure (1).
        let writer = try SpoolWriter(directory: spool, producer: producer, configuration: configuration)
        var linesRead: Int64 = 0
        do {
            _ = try writer.appendLines(from: STDIN_FILENO, maxLineBytes: lineLimit, maxDelay: maxDelay, linesRead: &linesRead)
            try writer.close()
        } catch {
            try? writer.close()
            // What a retry needs: the lines kept in complete frames (the first ones of the input).
            throw CommandFailure(
                .failure,
                "appended \(Terminal.grouped(writer.linesAppended)) of \(Terminal.grouped(linesRead)) lines to \(writer.directory); \(error)")
        }
    }
}
