import Foundation
import TallyTestSupport
import Testing
import TallyCorpus

import Glibc

/// `kill -9` of `tally run` at random moments while producers append: the final snapshot must
/// equal a `tally replay` of the same segments, subject by subject.
@Suite(.serialized) struct CrashTests {
    /// A pause of `range` milliseconds, seeded so that a failing run can be repeated.
    static func pause(_ range: ClosedRange<Int>, _ random: inout SplitMix64) -> UInt32 {
        UInt32(range.lowerBound + Int(random.next() % UInt64(range.count))) * 1000
    }

    static let subjects: [[String]] = [
        ["sessions", "--limit", "0"], ["tools"], ["models"], ["users"], ["timeline"], ["alerts"],
    ]

    /// `runArguments`: the default decode threads, and two of them.
    @Test(arguments: [[], ["--workers", "2"]])
    func killedConsumerEndsWhereReplayEnds(runArguments: [String]) throws {
        let scratch = try CLIScratch(pipeline: "snapshot:\n  every: 200ms\n  keep: 3\n", name: "crash\(runArguments.joined())")
        defer { scratch.cleanup() }
        var random = SplitMix64(seed: 20_251_023)

        // Two producers append bursts of a corpus (invalid lines and duplicates included),
        // each burst a `tally append` process, sealing small segments often.
        let lines = ndjsonLines(CorpusGenerator.bytes(CorpusConfiguration(seed: 77, events: 24_000, invalidFraction: 0.005)))
        let bursts = stride(from: 0, to: lines.count, by: 800).map { Array(lines[$0..<min($0 + 800, lines.count)].joined()) }
        let producersDone = DispatchGroup()
        let failures = Box<[String]>([])
        let failuresLock = NSLock()
        for producer in 0..<2 {
            producersDone.enter()
            let mine = bursts.enumerated().filter { $0.offset % 2 == producer }.map(\.element)
            Thread {
                for burst in mine {
                    let outcome = try? tally(
                        ["append", "--spool", scratch.spool, "--producer", "p\(producer)", "--fsync", "never",
                         "--max-segment-bytes", "48KiB"], input: burst)
                    if outcome?.status != 0 {
                        failuresLock.lock()
                        failures.value.append(outcome?.error ?? "append did not start")
                        failuresLock.unlock()
                    }
                    usleep(20_000)
                }
                producersDone.leave()
            }.start()
        }

        // The consumer is killed at random moments while they append.
        var kills = 0
        while kills < 10 || producersDone.wait(timeout: .now()) == .timedOut {
            let consumer = try RunningConsumer(pipeline: scratch.pipeline, log: scratch.path + "/run.log", extra: runArguments)
            usleep(Self.pause(100...700, &random))
            #expect(consumer.stop(SIGKILL) == SIGKILL)
            kills += 1
        }
        #expect(failures.value.isEmpty, "\(failures.value)")

        let last = try tally(["run", "--pipeline", scratch.pipeline, "--once"] + runArguments)
        #expect(last.status == 0, "\(last.error)")
        let replayed = scratch.path + "/replayed"
        let replay = try tally(["replay", "--pipeline", scratch.pipeline, "--out", replayed, "--workers", "2", scratch.spool])
        #expect(replay.status == 0, "\(replay.error)")

        var summary = try #require(try queryJSON(scratch.snapshots, ["summary"]) as? [String: Any])
        var expected = try #require(try queryJSON(replayed, ["summary"]) as? [String: Any])
        // When and how the snapshot was made differ; what it holds must not.
        for key in ["snapshot_at", "health"] {
            summary[key] = nil
            expected[key] = nil
        }
        #expect(NSDictionary(dictionary: summary).isEqual(to: expected), "summary: \(summary) vs replay \(expected)")
        #expect((summary["events"] as? Int ?? 0) + (summary["duplicates"] as? Int ?? 0) > 20_000)
        for subject in Self.subjects {
            let run = try tally(["query", "--snapshot", scratch.snapshots] + subject + ["--format", "json"])
            let batch = try tally(["query", "--snapshot", replayed] + subject + ["--format", "json"])
            #expect(run.status == 0 && run.output == batch.output, "\(subject[0]) differs from replay")
        }
        // Dead letters: each invalid line once, whatever was re-read after a kill. Only the
        // dead-letter files count: a consumer killed while writing one leaves its hidden
        // temporary file (`.dead-letter-….tmp`), which no reader reads.
        let invalid = (summary["invalid"] as? [String: Int] ?? [:]).values.reduce(0, +)
        let files = try FileManager.default.contentsOfDirectory(atPath: scratch.deadLetter).filter {
            $0.hasPrefix("dead-letter-") && $0.hasSuffix(".ndjson")
        }
        let deadLettered = try files.reduce(0) { sum, name in
            sum + (try Data(contentsOf: URL(fileURLWithPath: scratch.deadLetter + "/" + name))).reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        }
        #expect(invalid > 0 && deadLettered == invalid)
        print("crash test: \(kills) kills, \(lines.count) lines in \(bursts.count) bursts")
    }
}
