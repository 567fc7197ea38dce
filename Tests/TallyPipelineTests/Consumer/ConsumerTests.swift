import Foundation
import Testing
import TallyPipeline
import TallySnapshot
import TallySpool

/// `tally run` as a library: exactly-once folding across restarts, dead letters, retention,
/// the lock, torn tails, graceful stop.
@Suite struct ConsumerTests {
    static let subjects: [SnapshotQuery.Subject] = [.sessions, .tools, .models, .rollups(by: .user), .timeline, .alerts]

    /// Expects the consumer's newest snapshot to answer every subject as a replay of the same spool.
    func expectSameAsReplay(_ scratch: ConsumerScratch) throws {
        let replayed = scratch.path + "/replayed"
        _ = try Replay.run(settings: scratch.settings, inputs: [scratch.spool], output: replayed, workers: 2)
        #expect(NSDictionary(dictionary: try scratch.summaryWithoutTime()).isEqual(to: try scratch.summaryWithoutTime(in: replayed)))
        for subject in Self.subjects {
            #expect(try scratch.query(subject) == scratch.query(subject, in: replayed), "\(subject) differs from replay")
        }
    }

    func deadLetterLines(_ scratch: ConsumerScratch) -> Int {
        scratch.names(in: scratch.settings.deadLetter).reduce(0) { $0 + lineCount(scratch.settings.deadLetter + "/" + $1) }
    }

    func invalidTotal(_ scratch: ConsumerScratch) throws -> Int {
        let invalid = try scratch.summaryWithoutTime()["invalid"] as! [String: Int]
        return invalid.values.reduce(0, +)
    }

    @Test func onceFoldsEveryWriterLikeReplay() async throws {
        let scratch = try ConsumerScratch()
        defer { scratch.cleanup() }
        let parts = corpusParts(seed: 11, events: 6_000, parts: 3, invalidFraction: 0.01)
        try appendSealed(parts[0], spool: scratch.spool, producer: "api", maxSegmentBytes: 16 << 10)
        try appendSealed(parts[1], spool: scratch.spool, producer: "web")
        try appendSealed(parts[2], spool: scratch.spool, producer: "api")
        let consumer = try await scratch.runOnce()
        #expect(consumer.resumedGeneration == 0)
        try expectSameAsReplay(scratch)
        let invalid = try invalidTotal(scratch)
        #expect(invalid > 0)
        #expect(deadLetterLines(scratch) == invalid)
        #expect(scratch.names(in: scratch.settings.deadLetter) == [scratch.deadLetterName(1)])
        let health = try scratch.health()
        #expect(health["lag_bytes"] as? Int == 0 && health["lag_frames"] as? Int == 0 && health["writers"] as? Int == 3)
    }

    @Test func restartReadsExactlyWhatCameAfterTheSnapshot() async throws {
        let scratch = try ConsumerScratch()
        defer { scratch.cleanup() }
        let parts = corpusParts(seed: 12, events: 6_000, parts: 3, invalidFraction: 0.01)
        try appendSealed(parts[0], spool: scratch.spool, producer: "api", maxSegmentBytes: 16 << 10)
        try await scratch.runOnce()
        // The same writer stream goes on (a new segment of a still-open writer) and a new producer appears.
        var configuration = SpoolConfiguration()
        configuration.fsync = .never
        let writer = try SpoolWriter(directory: scratch.spool, producer: "late", configuration: configuration)
        try writer.append(parts[1])
        let second = try await scratch.runOnce()
        #expect(second.resumedGeneration == 1)
        try writer.append(parts[2])
        try writer.close()
        let third = try await scratch.runOnce()
        #expect(third.resumedGeneration == 2)
        try expectSameAsReplay(scratch)
        #expect(deadLetterLines(scratch) == (try invalidTotal(scratch)))
    }

    @Test func deadLettersOfUncommittedGenerationsAreRemovedAtStart() async throws {
        let scratch = try ConsumerScratch()
        defer { scratch.cleanup() }
        try appendSealed(corpusParts(seed: 13, events: 500, parts: 1, invalidFraction: 0.05)[0], spool: scratch.spool, producer: "api")
        try await scratch.runOnce()
        let orphan = scratch.settings.deadLetter + "/" + scratch.deadLetterName(2)
        try Data("{\"source\":\"x\"}\n".utf8).write(to: URL(fileURLWithPath: orphan))
        // Another consumer's files in a shared dead-letter directory (and an older build's) stay.
        let others = ["dead-letter-0123456789abcdef-000000000005.ndjson", "dead-letter-000000000002.ndjson"]
        for name in others {
            try Data("{\"source\":\"y\"}\n".utf8).write(to: URL(fileURLWithPath: scratch.settings.deadLetter + "/" + name))
        }
        _ = try Consumer(settings: scratch.settings)
        #expect(scratch.names(in: scratch.settings.deadLetter) == (others + [scratch.deadLetterName(1)]).sorted())
    }

    @Test func secondConsumerOnTheSamePipelineIsBusy() throws {
        let scratch = try ConsumerScratch()
        defer { scratch.cleanup() }
        do {
            let first = try Consumer(settings: scratch.settings)
            let error = #expect(throws: ConsumerError.self) { _ = try Consumer(settings: scratch.settings) }
            #expect(error?.code == .busy)
            #expect(error?.description.contains(scratch.settings.snapshots) == true)
            _ = first
        }
        // The lock goes with its holder.
        _ = try Consumer(settings: scratch.settings)
    }

    @Test(.enabled(if: UnreadableFile.isPossible, "needs a file this process cannot read: as root, a bind mount"))
    func retentionDeletesFoldedSegmentsAndKeepsUnfoldedOnes() async throws {
        let scratch = try ConsumerScratch(yaml: "snapshot:\n  keep: 1\nretention:\n  segments: 1ms\n")
        defer { scratch.cleanup() }
        let parts = corpusParts(seed: 14, events: 3_000, parts: 3)
        try appendSealed(parts[0], spool: scratch.spool, producer: "done", maxSegmentBytes: 16 << 10)
        // A writer still appending: its active segment stays.
        var configuration = SpoolConfiguration()
        configuration.fsync = .never
        let active = try SpoolWriter(directory: scratch.spool, producer: "live", configuration: configuration)
        try active.append(parts[1])
        // A writer whose first segment cannot be read: its sealed second segment is not folded and stays.
        let blocked = "stuck.20250101T000000_000000Z-1-stuck"
        let restore = try #require(UnreadableFile.make(at: scratch.spool + "/\(blocked).00000001.zst"))
        defer { restore() }
        let other = scratch.path + "/other"
        try appendSealed(parts[2], spool: other, producer: "stuck")
        let otherSegment = try Spool(directory: other).segments()[0].path
        try FileManager.default.moveItem(atPath: otherSegment, toPath: scratch.spool + "/\(blocked).00000002.zst")
        let before = scratch.names(in: scratch.spool)
        #expect(before.filter { $0.hasPrefix("done.") }.count > 1)
        usleep(20_000)

        try await scratch.runOnce()
        let after = scratch.names(in: scratch.spool)
        #expect(after.filter { $0.hasPrefix("done.") }.isEmpty)
        #expect(after.contains("\(blocked).00000002.zst"))
        #expect(after.contains { $0.hasPrefix("live.") && $0.hasSuffix(".zst.open") })
        let health = try scratch.health()
        #expect(health["unreadable_files"] as? Int == 1)
        #expect((health["lag_bytes"] as? Int ?? 0) > 0)
        try active.close()
    }

    @Test func tornTailOfADeadWriterIsSkippedAndCompleteFramesFolded() async throws {
        let scratch = try ConsumerScratch()
        defer { scratch.cleanup() }
        let other = scratch.path + "/other"
        var configuration = SpoolConfiguration()
        configuration.fsync = .never
        let writer = try SpoolWriter(directory: other, producer: "dead", configuration: configuration)
        let parts = corpusParts(seed: 15, events: 300, parts: 3)
        for part in parts { try writer.append(part) }
        try writer.close()
        let sealed = try Spool(directory: other).segments()[0].path
        var frames: [(end: Int64, lines: Int)] = []
        _ = try SegmentReader(path: sealed).read { event in
            if case .frame(let frame) = event { frames.append((frame.endOffset, try frame.lineCount())) }
        }
        #expect(frames.count == 3)
        // As a killed producer leaves it: active name, nobody holds the lock, the last frame half written.
        let abandoned = scratch.spool + "/dead.20250101T000000_000000Z-9-gone.00000001.zst.open"
        try FileManager.default.createDirectory(atPath: scratch.spool, withIntermediateDirectories: true)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: sealed))
        try bytes.prefix(Int(frames[1].end) + 7).write(to: URL(fileURLWithPath: abandoned))

        try await scratch.runOnce()
        let summary = try scratch.summaryWithoutTime()
        #expect((summary["events"] as! Int) + (summary["duplicates"] as! Int) == frames[0].lines + frames[1].lines)
        let health = try scratch.health()
        #expect(health["torn_tails"] as? Int == 1)
        #expect(health["lag_bytes"] as? Int == 0)
        // Carried over a restart, not counted again.
        try await scratch.runOnce()
        #expect(try scratch.health()["torn_tails"] as? Int == 1)
    }

    @Test func filesThatAreNotSegmentsAreIgnored() async throws {
        let scratch = try ConsumerScratch()
        defer { scratch.cleanup() }
        let part = corpusParts(seed: 16, events: 200, parts: 1)[0]
        try appendSealed(part, spool: scratch.spool, producer: "api")
        try Data("not a segment\n".utf8).write(to: URL(fileURLWithPath: scratch.spool + "/README.txt"))
        try Data(part).write(to: URL(fileURLWithPath: scratch.spool + "/events.zst"))
        try await scratch.runOnce()
        let summary = try scratch.summaryWithoutTime()
        #expect((summary["events"] as! Int) + (summary["duplicates"] as! Int) == 200)
        #expect(scratch.names(in: scratch.spool).contains("README.txt"))
    }

    @Test func stopFoldsWhatIsLeftAndWritesALastSnapshot() async throws {
        let scratch = try ConsumerScratch(yaml: "snapshot:\n  every: 1h\n")
        defer { scratch.cleanup() }
        let consumer = try Consumer(settings: scratch.settings)
        let running = Task { try await consumer.run() }
        try appendSealed(corpusParts(seed: 17, events: 400, parts: 1)[0], spool: scratch.spool, producer: "api")
        consumer.stop()
        try await running.value
        let summary = try scratch.summaryWithoutTime()
        #expect((summary["events"] as! Int) + (summary["duplicates"] as! Int) == 400)
    }

    /// A stop is heeded before the next frame, however long the round it comes in (here: 20
    /// writers with a backlog), and the shutdown drain ends at its limit within a round; what
    /// was not folded is folded by the next run, exactly once.
    @Test func aStopIsHeededWithinARoundAndTheDrainLimitHolds() async throws {
        let scratch = try ConsumerScratch(yaml: "snapshot:\n  every: 1h\n")
        defer { scratch.cleanup() }
        let parts = corpusParts(seed: 18, events: 2_000, parts: 20)
        for (index, part) in parts.enumerated() { try appendSealed(part, spool: scratch.spool, producer: "w\(index)") }
        var options = Consumer.Options()
        options.shutdownDrainLimit = .zero
        let consumer = try Consumer(settings: scratch.settings, options: options)
        consumer.stop()
        try await consumer.run()
        #expect(try scratch.summaryWithoutTime()["events"] as? Int == 0)
        try await scratch.runOnce()
        let summary = try scratch.summaryWithoutTime()
        #expect((summary["events"] as! Int) + (summary["duplicates"] as! Int) == 2_000)
    }
}
