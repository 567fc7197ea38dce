import Foundation
import Testing
import TallyCorpus
import TallySpool
import TallyTestSupport

import Glibc

/// Fails the test with a clear message when the binary is missing.
func requireTally() throws -> String {
    try #require(!tallyPath.isEmpty, "the `tally` executable is not next to the test bundle: run `swift build` before `swift test`")
    return tallyPath
}

/// A fresh directory with a pipeline file in it.
struct CLIScratch {
    let path: String

    init(pipeline yaml: String, name: String = #function) throws {
        path = try freshDirectory("cli", test: name)
        try yaml.write(toFile: pipeline, atomically: true, encoding: .utf8)
    }

    var pipeline: String { path + "/pipeline.yaml" }
    var spool: String { path + "/spool" }
    var snapshots: String { path + "/snapshots" }
    var deadLetter: String { path + "/dead-letter" }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

extension CLIScratch {
    /// Appends `events` corpus events of `seed` through `tally append` to a spool of their own
    /// and moves its sealed segment into `spool` as `name` (a segment name of another writer).
    func plantSegment(seed: UInt64, events: Int, as name: String) throws {
        let other = path + "/other"
        let corpus = CorpusGenerator.bytes(CorpusConfiguration(seed: seed, events: events))
        #expect(try tally(["append", "--spool", other, "--producer", "p"], input: corpus).status == 0)
        let sealed = try Spool(directory: other).segments()[0].path
        try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: sealed, toPath: spool + "/" + name)
    }
}

/// Runs `tally arguments…` with `input` on standard input and waits for it.
@discardableResult
func tally(_ arguments: [String], input: [UInt8] = []) throws -> Outcome {
    try runProgram(try requireTally(), arguments, input: input)
}

/// Runs `tally arguments…` under `umask` (set by `/bin/sh` before it execs the binary).
@discardableResult
func tally(_ arguments: [String], umask mask: String, input: [UInt8] = []) throws -> Outcome {
    try runProgram("/bin/sh", ["-c", "umask \(mask) && exec \"$0\" \"$@\"", try requireTally()] + arguments, input: input)
}

/// A `tally run` in the background; its standard error goes to a file.
final class RunningConsumer {
    let process = Process()
    let logPath: String

    /// With `umask`, `/bin/sh` sets it and execs the binary (the process is then `tally` itself).
    init(pipeline: String, log: String, extra: [String] = [], umask mask: String? = nil) throws {
        logPath = log
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        if let mask {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "umask \(mask) && exec \"$0\" \"$@\"", try requireTally(), "run", "--pipeline", pipeline] + extra
        } else {
            process.executableURL = URL(fileURLWithPath: try requireTally())
            process.arguments = ["run", "--pipeline", pipeline] + extra
        }
        process.standardOutput = FileHandle.nullDevice
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        process.standardError = handle
        try process.run()
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits (up to `seconds`) until the log contains `text`.
    func waitForLog(_ text: String, seconds: Double = 30) -> Bool {
        eventually(seconds: seconds) { self.log.contains(text) }
    }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// Sends `number` and waits for the exit; returns the exit status (or the signal).
    @discardableResult
    func stop(_ number: Int32 = SIGTERM) -> Int32 {
        signal(number)
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// `query WHAT --format json` over a snapshot directory, parsed (`nil` without a snapshot).
func queryJSON(_ snapshots: String, _ what: [String]) throws -> Any? {
    let outcome = try tally(["query", "--snapshot", snapshots] + what + ["--format", "json"])
    guard outcome.status == 0 else { return nil }
    return try JSONSerialization.jsonObject(with: Data(outcome.output.utf8))
}

/// `events + duplicates` of the newest snapshot's summary (0 without a snapshot).
func linesFolded(_ snapshots: String) throws -> Int {
    guard let summary = try queryJSON(snapshots, ["summary"]) as? [String: Any] else { return 0 }
    return (summary["events"] as? Int ?? 0) + (summary["duplicates"] as? Int ?? 0)
}

/// Splits NDJSON bytes into lines (with their newlines).
func ndjsonLines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
    var lines: [ArraySlice<UInt8>] = []
    var start = 0
    for (index, byte) in bytes.enumerated() where byte == 0x0A {
        lines.append(bytes[start...index])
        start = index + 1
    }
    return lines
}
