import Foundation
import Testing
@testable import TallyPipeline
import TallySpool

#if canImport(Glibc)
import Glibc
#endif

/// Inputs that replay must read as one thread reading each file whole would.
@Suite struct ReplayInputTests {
    func replay(_ scratch: ConsumerScratch, _ inputs: [String], into name: String, workers: Int, unitBytes: Int64 = 1)
        throws -> (report: Replay.Report, warnings: [String])
    {
        var warnings: [String] = []
        let report = try Replay.run(
            settings: scratch.settings, inputs: inputs, output: scratch.path + "/" + name, workers: workers,
            unitBytes: unitBytes, progress: nil, warning: { warnings.append($0) })
        return (report, warnings)
    }

    @Test func copiesOfAnEventIDAreFoldedOnceWhateverSessionTheyCarry() throws {
        let scratch = try ConsumerScratch()
        defer { scratch.cleanup() }
        // Each event is sent twice, the retry with another session id (none) and in another file:
        // copies differ, and several files give several decode threads and fold shards.
        var files = Array(repeating: [String](), count: 4)
        for index in 0..<200 {
            let ts = 1_761_177_600_000 + index * 1_000
            files[index % 4].append(#"{"type":"log","ts":\#(ts),"session_id":"s\#(index % 7)","event_id":"e\#(index)","level":"info","message":"m"}"#)
            files[(index + 1) % 4].append(#"{"type":"log","ts":\#(ts + 5),"event_id":"e\#(index)","level":"info","message":"m"}"#)
        }
        var paths: [String] = []
        for (index, lines) in files.enumerated() {
            let path = scratch.path + "/retries-\(index).ndjson"
            try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            paths.append(path)
        }
        for workers in [1, 4] {
            let (report, warnings) = try replay(scratch, paths, into: "w\(workers)", workers: workers)
            #expect(report.summary.events == 200, "workers \(workers)")
            #expect(report.summary.duplicates == 200, "workers \(workers)")
            // With several shards the copies met in two of them: replay folded again on one thread.
            #expect(warnings.contains { $0.contains("folding again on one thread") } == (workers > 1))
        }
    }

    @Test func aLineCutAcrossTheFramesOfAForeignZstdFileIsOneLine() throws {
        let scratch = try ConsumerScratch()
        defer { scratch.cleanup() }
        let corpus = corpusParts(seed: 11, events: 3_000, parts: 1, invalidFraction: 0.01)[0]
        let plain = scratch.path + "/corpus.ndjson"
        try Data(corpus).write(to: URL(fileURLWithPath: plain))
        // Two independent zstd frames, the cut in the middle of a line (as `cat a.zst b.zst` gives).
        let cut = corpus.count / 2 + 17
        try Data(corpus[..<cut]).write(to: URL(fileURLWithPath: scratch.path + "/a"))
        try Data(corpus[cut...]).write(to: URL(fileURLWithPath: scratch.path + "/b"))
        let zst = scratch.path + "/corpus.ndjson.zst"
        for part in ["a", "b"] {
            let (status, _) = try run("/usr/bin/zstd", ["-q", "-f", scratch.path + "/" + part, "-o", scratch.path + "/" + part + ".zst"])
            #expect(status == 0)
        }
        let joined = try Data(contentsOf: URL(fileURLWithPath: scratch.path + "/a.zst")) + Data(contentsOf: URL(fileURLWithPath: scratch.path + "/b.zst"))
        try joined.write(to: URL(fileURLWithPath: zst))

        let fromPlain = try replay(scratch, [plain], into: "plain", workers: 1).report
        let fromZstd = try replay(scratch, [zst], into: "zstd", workers: 2).report
        #expect(fromZstd.summary == fromPlain.summary)
        #expect(fromZstd.lines == fromPlain.lines)
    }

    @Test func aSegmentStillBeingWrittenIsANoticeNotDamage() throws {
        let scratch = try ConsumerScratch()
        defer { scratch.cleanup() }
        let writer = try SpoolWriter(directory: scratch.spool, producer: "live")
        try writer.append(Array(#"{"type":"log","ts":1761177600000,"level":"info","message":"still open"}"#.utf8) + [0x0A])
        defer { try? writer.close() }
        let (report, warnings) = try replay(scratch, [scratch.spool], into: "out", workers: 2)
        #expect(report.damage.isEmpty)
        #expect(report.summary.events == 1)
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("still being written") == true)
    }

    @Test func deadLettersAreWrittenInFileOrderWhateverTheThreads() throws {
        let scratch = try ConsumerScratch()
        defer { scratch.cleanup() }
        try appendSealed(
            corpusParts(seed: 5, events: 6_000, parts: 1, invalidFraction: 0.02)[0], spool: scratch.spool, producer: "api")
        let one = try replay(scratch, [scratch.spool], into: "one", workers: 1, unitBytes: .max).report
        let many = try replay(scratch, [scratch.spool], into: "many", workers: 4, unitBytes: 1).report
        let first = try Data(contentsOf: URL(fileURLWithPath: try #require(one.deadLetterFile)))
        let second = try Data(contentsOf: URL(fileURLWithPath: try #require(many.deadLetterFile)))
        #expect(first.count > 0)
        #expect(first == second)
    }
}

/// Runs a program and returns its exit status and standard output.
private func run(_ program: String, _ arguments: [String]) throws -> (Int32, Data) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, data)
}
