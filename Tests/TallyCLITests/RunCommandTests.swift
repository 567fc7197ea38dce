import Foundation
import TallyTestSupport
import Testing
import TallyCorpus

import Glibc

/// `tally run` as a process: latency, the lock, signals, damage and odd spools.
@Suite(.serialized) struct RunCommandTests {
    @Test func appendedLineAppearsInASnapshotSoon() throws {
        let scratch = try CLIScratch(pipeline: "snapshot:\n  every: 1s\n")
        defer { scratch.cleanup() }
        let consumer = try RunningConsumer(pipeline: scratch.pipeline, log: scratch.path + "/run.log")
        defer { consumer.stop() }
        #expect(consumer.waitForLog("started:"))
        let line = Array(#"{"type":"session_start","ts":"2025-10-23T10:00:00Z","session_id":"s-latency","user_id":"u1"}"#.utf8) + [0x0A]
        let appended = Date()
        #expect(try tally(["append", "--spool", scratch.spool, "--producer", "latency", "--fsync", "always"], input: line).status == 0)
        let arrived = eventually(seconds: 30) { (try? linesFolded(scratch.snapshots)) == 1 }
        #expect(arrived, "the appended line never reached a snapshot")
        print("latency (append returned → visible in query summary, snapshot.every 1s): \(Int(Date().timeIntervalSince(appended) * 1000)) ms")
    }

    @Test func decodeThreadsAreNamedInTheLogAndANegativeCountIsBadUsage() throws {
        let scratch = try CLIScratch(pipeline: "snapshot:\n  every: 1s\n")
        defer { scratch.cleanup() }
        let negative = try tally(["run", "--pipeline", scratch.pipeline, "--once", "--workers", "-1"])
        #expect(negative.status == 2 && negative.error.contains("--workers"))
        let threaded = try tally(["run", "--pipeline", scratch.pipeline, "--once", "--workers", "3"])
        #expect(threaded.status == 0 && threaded.error.contains("3 decode threads"), "\(threaded.error)")
        let single = try tally(["run", "--pipeline", scratch.pipeline, "--once", "--workers", "0"])
        #expect(single.status == 0 && single.error.contains("decoding on the folding thread"), "\(single.error)")
    }

    @Test func secondConsumerExits2AndAKilledOneDoesNotBlockARestart() throws {
        let scratch = try CLIScratch(pipeline: "snapshot:\n  every: 200ms\n")
        defer { scratch.cleanup() }
        let first = try RunningConsumer(pipeline: scratch.pipeline, log: scratch.path + "/first.log")
        #expect(first.waitForLog("started:"))
        let second = try tally(["run", "--pipeline", scratch.pipeline, "--once"])
        #expect(second.status == 2)
        let lines = second.error.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("in use by another consumer") && lines[0].contains(scratch.snapshots))
        #expect(first.stop(SIGKILL) == SIGKILL)
        let third = try tally(["run", "--pipeline", scratch.pipeline, "--once"])
        #expect(third.status == 0, "\(third.error)")
    }

    @Test func sigtermWritesALastSnapshotWithEverythingAppendedAndExits0() throws {
        let scratch = try CLIScratch(pipeline: "snapshot:\n  every: 1h\n")
        defer { scratch.cleanup() }
        let consumer = try RunningConsumer(pipeline: scratch.pipeline, log: scratch.path + "/run.log")
        #expect(consumer.waitForLog("started:"))
        let corpus = CorpusGenerator.bytes(CorpusConfiguration(seed: 31, events: 700))
        #expect(try tally(["append", "--spool", scratch.spool, "--producer", "api"], input: corpus).status == 0)
        #expect(consumer.stop(SIGTERM) == 0)
        #expect(try linesFolded(scratch.snapshots) == 700)
        #expect(consumer.log.contains("stopping"))
    }

    @Test func tornTailAndNonSegmentFilesAreReportedWithFileAndOffset() throws {
        let scratch = try CLIScratch(pipeline: "")
        defer { scratch.cleanup() }
        // Three frames in a sealed segment elsewhere…
        let other = scratch.path + "/other"
        for seed in 1...3 {
            let part = CorpusGenerator.bytes(CorpusConfiguration(seed: UInt64(40 + seed), events: 100))
            #expect(try tally(["append", "--spool", other, "--producer", "p\(seed)"], input: part).status == 0)
        }
        let sealed = try FileManager.default.contentsOfDirectory(atPath: other).sorted().map { other + "/" + $0 }
        // …become one abandoned active segment of a killed producer, cut in the middle of its last frame.
        var bytes = Data()
        var frameEnds: [Int] = []
        for path in sealed {
            bytes.append(try Data(contentsOf: URL(fileURLWithPath: path)))
            frameEnds.append(bytes.count)
        }
        try FileManager.default.createDirectory(atPath: scratch.spool, withIntermediateDirectories: true)
        let abandoned = scratch.spool + "/killed.20250101T000000_000000Z-7-dead.00000001.zst.open"
        try bytes.prefix(frameEnds[1] + 11).write(to: URL(fileURLWithPath: abandoned))
        try Data("hello\n".utf8).write(to: URL(fileURLWithPath: scratch.spool + "/notes.txt"))

        let run = try tally(["run", "--pipeline", scratch.pipeline, "--once"])
        #expect(run.status == 0)
        #expect(run.error.contains("torn tail skipped: \(abandoned) at byte \(frameEnds[1]) (11 bytes"))
        #expect(run.error.contains("ignoring \(scratch.spool)/notes.txt: not a segment file"))
        #expect(try linesFolded(scratch.snapshots) == 200)
    }

    @Test func spoolCreatedAfterTheConsumerStartedIsPickedUp() throws {
        let scratch = try CLIScratch(pipeline: "snapshot:\n  every: 300ms\n")
        defer { scratch.cleanup() }
        let consumer = try RunningConsumer(pipeline: scratch.pipeline, log: scratch.path + "/run.log")
        defer { consumer.stop() }
        #expect(consumer.waitForLog("waiting for the spool"))
        usleep(300_000)
        #expect(!FileManager.default.fileExists(atPath: scratch.spool), "the consumer must not create the spool")
        let corpus = CorpusGenerator.bytes(CorpusConfiguration(seed: 32, events: 250))
        #expect(try tally(["append", "--spool", scratch.spool, "--producer", "late"], input: corpus).status == 0)
        #expect(eventually(seconds: 30) { (try? linesFolded(scratch.snapshots)) == 250 })
    }
}
