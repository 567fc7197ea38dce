import ArgumentParser
import TallyPipeline
import TallySnapshot
import TallySpool
import TallyPosix

import Glibc
import TallyCore

/// `tally demo`: replays SampleLogs/ with Pipelines/default.yaml into a temporary
/// directory and prints a short report, then the `tally query` commands to dig further.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Replay the sample spool with the default pipeline and show what Tally finds.",
        discussion: """
            Looks for SampleLogs/ and Pipelines/default.yaml in the current directory, its parents, \
            and the directories above the tally executable (a checkout's .build/…/tally).
            """)

    @Option(help: ArgumentHelp("The sample spool to replay.", valueName: "DIR"))
    var samples: String?

    @Option(help: ArgumentHelp("The pipeline file.", valueName: "FILE"))
    var pipeline: String?

    @Option(help: ArgumentHelp("Where to write the snapshot (default: a new temporary directory).", valueName: "DIR"))
    var out: String?

    func run() throws {
        guard let root = samples == nil || pipeline == nil ? DemoFiles.checkoutRoot() : "" else {
            throw CommandFailure(
                .badUsage,
                "cannot find SampleLogs/ and Pipelines/default.yaml: run tally demo inside the Tally checkout, or give --samples and --pipeline")
        }
        let samples = self.samples ?? root + "/SampleLogs"
        let pipelinePath = self.pipeline ?? root + "/Pipelines/default.yaml"
        let settings = try PipelineSettings.load(path: pipelinePath)
        let output = try out ?? DemoFiles.temporaryDirectory()
        // Whatever stops the demo's replay is a failure of the work (1), and whatever stops it
        // reading the snapshot it has just written is no usable snapshot (4).
        let report: Replay.Report
        do {
            report = try Replay.run(
                settings: settings, inputs: [samples], output: output, workers: ProcessorCount.online,
                warning: { StandardError.line("tally: warning: " + $0) })
        } catch {
            throw CommandFailure(.failure, "\(error)")
        }
        let reader: SnapshotReader
        do {
            reader = try SnapshotReader(path: output)
        } catch {
            throw CommandFailure(.noUsableSnapshot, "\(error)")
        }

        var stdout = StandardOutput()
        defer { stdout.flush() }
        stdout.line("Tally demo: replayed \(Terminal.grouped(report.lines)) lines from \(report.files) segment files in \(samples)")
        stdout.line("with \(pipelinePath) in \(Terminal.seconds(report.elapsed)).\n")
        func section(_ title: String, _ query: SnapshotQuery) {
            stdout.line("== " + title)
            do {
                stdout.line(try reader.output(query, format: .table))
            } catch {
                stdout.line("(\(error))\n")
            }
        }
        section("Summary", SnapshotQuery(.summary))
        section("Top sessions by cost", SnapshotQuery(.sessions, sort: .cost, limit: 5))
        section("Tools: error rates and latency", SnapshotQuery(.tools))
        section("Models: cost and latency", SnapshotQuery(.models))
        stdout.line("== Alerts by kind")
        for kind in AlertView.Kind.allCases {
            let all = SnapshotQuery(.alerts, limit: 0, alertKind: kind)
            let count = ((try? reader.output(all, format: .ndjson)) ?? "").split(separator: "\n").count
            stdout.line("  " + kind.rawValue.padding(toLength: 15) + String(count).leftPadding(toLength: 6))
        }
        stdout.line()
        section("Newest alerts", SnapshotQuery(.alerts, limit: 6))
        let invalid = report.summary.invalid.filter { $0.value > 0 }.sorted { $0.key < $1.key }
        stdout.line("== Invalid lines by reason (dead-lettered to \(output)/dead-letter/)")
        for (reason, count) in invalid {
            stdout.line("  " + reason.padding(toLength: 14) + String(count).leftPadding(toLength: 6))
        }
        if invalid.isEmpty { stdout.line("  none") }
        stdout.line("""

            Dig further:
              tally query --snapshot \(output) sessions --status FAILED
              tally query --snapshot \(output) sessions --sort duration --limit 10
              tally query --snapshot \(output) session <SESSION_ID>
              tally query --snapshot \(output) users --by org
              tally query --snapshot \(output) timeline --bucket 1h
              tally query --snapshot \(output) alerts --kind access_burst
              tally query --snapshot \(output) invalid --format ndjson
              sqlite3 \(output)/sessions.db 'SELECT session_id, status, cost_usd FROM current_sessions ORDER BY cost_usd DESC LIMIT 5'
            """)
    }
}

enum DemoFiles {
    /// The nearest directory holding SampleLogs/ and Pipelines/default.yaml, searching up from
    /// the current directory and from the executable's directory.
    static func checkoutRoot() -> String? {
        var starts: [String] = []
        if let cwd = getcwd(nil, 0) {
            starts.append(String(cString: cwd))
            free(cwd)
        }
        if let executable = realpath("/proc/self/exe", nil) {
            starts.append(String(cString: executable))
            free(executable)
        }
        for start in starts {
            var directory = start
            while true {
                if (try? Posix.stat(directory + "/SampleLogs"))??.isDirectory == true,
                    (try? Posix.stat(directory + "/Pipelines/default.yaml"))??.isRegular == true
                {
                    return directory
                }
                guard let slash = directory.lastIndex(of: "/"), directory != "/" else { break }
                directory = slash == directory.startIndex ? "/" : String(directory[..<slash])
            }
        }
        return nil
    }

    /// A new, empty directory under $TMPDIR or /tmp.
    static func temporaryDirectory() throws(CommandFailure) -> String {
        let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array((base + "/tally-demo-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw CommandFailure(.failure, "cannot create a temporary directory in \(base)")
        }
        return String(cString: made)
    }
}

extension String {
    func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }

    func leftPadding(toLength length: Int) -> String {
        count >= length ? self : String(repeating: " ", count: length - count) + self
    }
}
