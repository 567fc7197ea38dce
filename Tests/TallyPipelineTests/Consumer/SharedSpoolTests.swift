import Foundation
import Testing
import TallyPipeline
import TallySnapshot
import TallySpool

/// Pipelines that share directories (issue 13, items 4 and 5): a spool's identity, consumer
/// registrations that hold segments back, dead-letter files per snapshot directory.
@Suite struct SharedSpoolTests {
    static let retention = "snapshot:\n  keep: 1\nretention:\n  segments: 1h\n"

    /// A second pipeline in `scratch`'s folder on the same spool and dead-letter directory.
    func secondPipeline(_ scratch: ConsumerScratch, yaml: String = SharedSpoolTests.retention) throws -> PipelineSettings {
        let path = scratch.path + "/pipeline-b.yaml"
        try ("snapshots: ./snapshots-b\n" + yaml).write(toFile: path, atomically: true, encoding: .utf8)
        return try PipelineSettings.load(path: path)
    }

    func runOnce(_ settings: PipelineSettings) async throws {
        var options = Consumer.Options()
        options.once = true
        try await Consumer(settings: settings, options: options).run()
    }

    func events(_ snapshots: String) throws -> Int {
        let summary = try SnapshotReader(path: snapshots).output(SnapshotQuery(.summary), format: .json)
        return (try JSONSerialization.jsonObject(with: Data(summary.utf8)) as! [String: Any])["events"] as! Int
    }

    /// Makes every file in the spool look older than the retention time.
    func age(_ spool: String) throws {
        let old = Date(timeIntervalSinceNow: -7_200)
        for name in try FileManager.default.contentsOfDirectory(atPath: spool) where !name.hasPrefix(".") {
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: spool + "/" + name)
        }
    }

    @Test func retentionKeepsWhatAnotherRegisteredConsumerHasNotFolded() async throws {
        let scratch = try ConsumerScratch(yaml: Self.retention)
        defer { scratch.cleanup() }
        let b = try secondPipeline(scratch)
        let parts = corpusParts(seed: 31, events: 2_000, parts: 2)
        try appendSealed(parts[0], spool: scratch.spool, producer: "api")
        try await runOnce(b)                       // B folds the first part and registers
        try appendSealed(parts[1], spool: scratch.spool, producer: "web")
        try age(scratch.spool)
        try await scratch.runOnce()                // A folds both; B has not folded the second
        try await scratch.runOnce()                // (retention runs after A's snapshots)
        #expect(try Spool(directory: scratch.spool).segments().contains { $0.id.producer == "web" })
        try await runOnce(b)
        #expect(try events(b.snapshots) == (try events(scratch.settings.snapshots)))
        // Both have folded everything now: retention deletes it.
        try age(scratch.spool)
        try await scratch.runOnce()
        try await scratch.runOnce()
        #expect(try Spool(directory: scratch.spool).segments().isEmpty)
    }

    @Test func aConsumerRegisteredLongerAgoThanRetentionHoldsNothingBack() async throws {
        let scratch = try ConsumerScratch(yaml: Self.retention)
        defer { scratch.cleanup() }
        let b = try secondPipeline(scratch)
        try appendSealed(corpusParts(seed: 32, events: 500, parts: 1)[0], spool: scratch.spool, producer: "api")
        try await runOnce(b)
        try appendSealed(corpusParts(seed: 33, events: 500, parts: 1)[0], spool: scratch.spool, producer: "web")
        // B's registration is two hours old: B is gone.
        let registration = try FileManager.default.contentsOfDirectory(atPath: scratch.spool).first { $0.hasPrefix(".tally-consumer-") }
        let path = scratch.spool + "/" + (try #require(registration))
        let text = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        let stale = Int64(Date().timeIntervalSince1970 * 1000) - 7_200_000
        try ([String(text[0]), "updated_at_ms \(stale)"] + text.dropFirst(2).map(String.init)).joined(separator: "\n").appending("\n")
            .write(toFile: path, atomically: true, encoding: .utf8)
        try age(scratch.spool)
        try await scratch.runOnce()
        try await scratch.runOnce()
        #expect(try Spool(directory: scratch.spool).segments().isEmpty)
    }

    /// A spool this consumer may read but not write (a consumer in the producers' group) costs
    /// it its registration, never its fold: the failed write is a warning and the run goes on.
    @Test func aRegistrationThatCannotBeWrittenOnlyWarns() async throws {
        let scratch = try ConsumerScratch()
        defer { scratch.cleanup() }
        let parts = corpusParts(seed: 34, events: 600, parts: 2)
        try appendSealed(parts[0], spool: scratch.spool, producer: "api")
        try await scratch.runOnce()
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: scratch.spool).first { $0.hasPrefix(".tally-consumer-") })
        // Where the registration goes stands a directory now: every write of it fails (even as root).
        try FileManager.default.removeItem(atPath: scratch.spool + "/" + name)
        try FileManager.default.createDirectory(atPath: scratch.spool + "/" + name + "/blocked", withIntermediateDirectories: true)
        try appendSealed(parts[1], spool: scratch.spool, producer: "web")
        try await scratch.runOnce()
        // Everything folded, as a consumer whose registration works folds it.
        let reference = try ConsumerScratch()
        defer { reference.cleanup() }
        for (part, producer) in zip(parts, ["api", "web"]) { try appendSealed(part, spool: reference.spool, producer: producer) }
        try await reference.runOnce()
        #expect(try events(scratch.settings.snapshots) == (try events(reference.settings.snapshots)))
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: scratch.spool + "/" + name, isDirectory: &isDirectory) && isDirectory.boolValue)
    }

    @Test func aSpoolOfAnotherIdentityIsRefusedNamingBothDirectories() async throws {
        let scratch = try ConsumerScratch()
        defer { scratch.cleanup() }
        try appendSealed(corpusParts(seed: 34, events: 300, parts: 1)[0], spool: scratch.spool, producer: "api")
        try await scratch.runOnce()
        // Another spool at the same path (deleted and made again): its identity differs.
        try FileManager.default.removeItem(atPath: scratch.spool)
        try appendSealed(corpusParts(seed: 35, events: 300, parts: 1)[0], spool: scratch.spool, producer: "api")
        do {
            try await scratch.runOnce()
            Issue.record("a consumer ran on a spool of another identity")
        } catch let error as ConsumerError {
            #expect(error.code == .incompatible)
            #expect(error.message.contains(scratch.settings.spool) && error.message.contains(scratch.settings.snapshots))
        }
        #expect(try SnapshotReader(path: scratch.settings.snapshots).generation == 1)
    }

    @Test func aSnapshotReplayedFromTheSpoolIsRunOn() async throws {
        let scratch = try ConsumerScratch()
        defer { scratch.cleanup() }
        let parts = corpusParts(seed: 36, events: 3_000, parts: 2, invalidFraction: 0.01)
        try appendSealed(parts[0], spool: scratch.spool, producer: "api", maxSegmentBytes: 16 << 10)
        // sessions.db lost: replay the retained segments into a new directory, then run on from it.
        let recovered = scratch.path + "/recovered"
        _ = try Replay.run(settings: scratch.settings, inputs: [scratch.spool], output: recovered, workers: 2)
        try appendSealed(parts[1], spool: scratch.spool, producer: "api", maxSegmentBytes: 16 << 10)
        var settings = scratch.settings
        settings.snapshots = recovered
        try await runOnce(settings)
        let whole = scratch.path + "/whole"
        _ = try Replay.run(settings: scratch.settings, inputs: [scratch.spool], output: whole, workers: 2)
        #expect(try events(recovered) == (try events(whole)))
        #expect(try scratch.summaryWithoutTime(in: recovered)["invalid"] as? NSDictionary == (try scratch.summaryWithoutTime(in: whole)["invalid"] as? NSDictionary))
    }
}
