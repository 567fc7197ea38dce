import Foundation
import Glibc
import Testing
import TallyTestSupport

/// The build folder (`.build/debug`), where test artefacts such as screenshots are kept.
var buildFolder: String { URL(fileURLWithPath: tallyPath).deletingLastPathComponent().path }

let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

@discardableResult
func tally(_ arguments: [String]) throws -> Outcome {
    try #require(!tallyPath.isEmpty, "the `tally` executable is not next to the test bundle: run `swift build` first")
    return try runProgram(tallyPath, arguments)
}

/// A scratch directory with a pipeline file (snapshots, spool and dead letters inside it).
struct Scratch {
    let path: String

    init(name: String = #function, every: String = "10s") throws {
        path = try freshDirectory("serve", test: name)
        var yaml = try String(contentsOfFile: checkout + "/Pipelines/default.yaml", encoding: .utf8)
        yaml = yaml.replacingOccurrences(of: "../.tally/", with: path + "/")
        yaml = yaml.replacingOccurrences(of: "every: 10s", with: "every: \(every)")
        try yaml.write(toFile: pipeline, atomically: true, encoding: .utf8)
    }

    var pipeline: String { path + "/pipeline.yaml" }
    var snapshots: String { path + "/snapshots" }
    var spool: String { path + "/spool" }

    /// Replays SampleLogs/ and `extra` NDJSON lines into `snapshots`.
    func replaySampleLogs(extra: [String] = []) throws {
        var inputs = [checkout + "/SampleLogs"]
        if !extra.isEmpty {
            let file = path + "/extra.ndjson"
            try (extra.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
            inputs.append(file)
        }
        let outcome = try tally(["replay", "--pipeline", pipeline, "--out", snapshots] + inputs)
        try #require(outcome.status == 0, "replay failed: \(outcome.error)")
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

/// `tally run --pipeline PIPELINE` in the background, its output discarded; SIGTERM it when done.
func startConsumer(pipeline: String) throws -> Process {
    try #require(!tallyPath.isEmpty)
    let consumer = Process()
    consumer.executableURL = URL(fileURLWithPath: tallyPath)
    consumer.arguments = ["run", "--pipeline", pipeline]
    consumer.standardOutput = FileHandle.nullDevice
    consumer.standardError = FileHandle.nullDevice
    try consumer.run()
    return consumer
}

/// Calls `body` with a scratch directory that has SampleLogs/ replayed into it and a `tally serve`
/// of that snapshot; stops the server and removes the directory after it.
func withServedSampleLogs(name: String = #function, _ body: (Scratch, RunningServer) throws -> Void) throws {
    let scratch = try Scratch(name: name)
    defer { scratch.cleanup() }
    try scratch.replaySampleLogs()
    let server = try RunningServer(snapshot: scratch.snapshots, log: scratch.path + "/serve.log")
    defer { server.stop() }
    try body(scratch, server)
}

/// A `tally serve` in the background on a free loopback port; its standard error goes to a file.
final class RunningServer {
    let process = Process()
    let logPath: String
    private(set) var port = 0

    init(snapshot: String, extra: [String] = [], log: String) throws {
        logPath = log
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        try #require(!tallyPath.isEmpty)
        process.executableURL = URL(fileURLWithPath: tallyPath)
        process.arguments = ["serve", "--snapshot", snapshot, "--listen", "127.0.0.1:0"] + extra
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try process.run()
        let listening = eventually(seconds: 60) {
            guard let range = self.log.range(of: "listening on http://127.0.0.1:") else { return false }
            let digits = self.log[range.upperBound...].prefix { $0.isNumber }
            self.port = Int(digits) ?? 0
            return self.port > 0
        }
        try #require(listening, "tally serve did not start: \(log)")
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
    var base: String { "http://127.0.0.1:\(port)" }

    func get(_ path: String, headers: [String: String] = [:]) throws -> HTTPAnswer {
        try HTTPAnswer.get(port: port, path: path, headers: headers)
    }

    /// SIGTERM and wait; the exit status.
    @discardableResult
    func stop() -> Int32 {
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// `tally append --spool SPOOL` of `lines`.
func appendLines(_ lines: [String], spool: String) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tallyPath)
    process.arguments = ["append", "--spool", spool]
    let input = Pipe()
    process.standardInput = input
    try process.run()
    input.fileHandleForWriting.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    try input.fileHandleForWriting.close()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
}

/// `tally query --format json` output for `arguments`.
func queryJSON(_ snapshots: String, _ arguments: [String]) throws -> String {
    let outcome = try tally(["query", "--snapshot", snapshots] + arguments + ["--format", "json"])
    try #require(outcome.status == 0, "query \(arguments) failed: \(outcome.error)")
    return outcome.output
}
