import Foundation
import TallyCorpus
import TallyPipeline
import TallySnapshot
import TallySpool

import Glibc
import TallyTestSupport

/// A pipeline in a fresh temporary directory: `pipeline.yaml`, `spool/`, `snapshots/`, `dead-letter/`.
struct ConsumerScratch {
    let path: String
    let settings: PipelineSettings

    init(yaml: String = "", name: String = #function) throws {
        path = try freshDirectory("consumer", test: name)
        try yaml.write(toFile: path + "/pipeline.yaml", atomically: true, encoding: .utf8)
        settings = try PipelineSettings.load(path: path + "/pipeline.yaml")
    }

    var spool: String { settings.spool }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }

    func names(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    /// The snapshot directory's identity (`directory.id`), which names its dead-letter files.
    var identity: String {
        (try? String(contentsOfFile: settings.snapshots + "/directory.id", encoding: .utf8))?.trimmingCharacters(in: .newlines) ?? ""
    }

    /// The name of this consumer's dead-letter file of `generation`.
    func deadLetterName(_ generation: Int) -> String {
        "dead-letter-\(identity)-" + String(repeating: "0", count: 12 - String(generation).count) + "\(generation).ndjson"
    }

    /// The names in `directory` less the hidden ones.
    func visibleNames(in directory: String) -> [String] {
        names(in: directory).filter { !$0.hasPrefix(".") }
    }

    /// Runs a consumer with `once` (and `workers` decode threads) to completion and returns it.
    @discardableResult
    func runOnce(workers: Int = Consumer.Options().workers) async throws -> Consumer {
        var options = Consumer.Options()
        options.once = true
        options.workers = workers
        let consumer = try Consumer(settings: settings, options: options)
        try await consumer.run()
        return consumer
    }

    /// The newest snapshot's answer to a query of `subject` (all rows) as JSON text.
    func query(_ subject: SnapshotQuery.Subject, in directory: String? = nil) throws -> String {
        let query = SnapshotQuery(subject, limit: subject == .sessions ? 0 : nil)
        return try SnapshotReader(path: directory ?? settings.snapshots).output(query, format: .json)
    }

    /// The newest manifest, parsed.
    func manifest() throws -> [String: Any] {
        let manifests = names(in: settings.snapshots).filter { $0.hasPrefix("snapshot-") && $0.hasSuffix(".json") }
        let data = try Data(contentsOf: URL(fileURLWithPath: settings.snapshots + "/" + manifests.last!))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    /// The newest manifest's `health` object.
    func health() throws -> [String: Any] {
        try manifest()["health"] as! [String: Any]
    }

    /// The writer streams in the newest manifest's positions.
    func positionCount() throws -> Int {
        let positions = try manifest()["positions"] as? [String: Any]
        return (positions?["positions"] as? [String: Any])?.count ?? 0
    }

    /// `summary` without `snapshot_at`.
    /// The summary less what says when and how the snapshot was made (`snapshot_at`, `health`).
    func summaryWithoutTime(in directory: String? = nil) throws -> [String: Any] {
        var object = try JSONSerialization.jsonObject(with: Data(query(.summary, in: directory).utf8)) as! [String: Any]
        object["snapshot_at"] = nil
        object["health"] = nil
        return object
    }
}

/// Corpus lines, split into `parts` consecutive pieces of whole lines.
func corpusParts(seed: UInt64, events: Int, parts: Int, invalidFraction: Double = 0) -> [[UInt8]] {
    let bytes = CorpusGenerator.bytes(CorpusConfiguration(seed: seed, events: events, invalidFraction: invalidFraction))
    var lines: [ArraySlice<UInt8>] = []
    var start = 0
    for (index, byte) in bytes.enumerated() where byte == 0x0A {
        lines.append(bytes[start...index])
        start = index + 1
    }
    let per = (lines.count + parts - 1) / parts
    return stride(from: 0, to: lines.count, by: per).map { Array(lines[$0..<min($0 + per, lines.count)].joined()) }
}

/// Appends `bytes` with a library writer, in batches of whole lines of about 32 KiB (a frame
/// each), and closes it, sealing its segments.
func appendSealed(_ bytes: [UInt8], spool: String, producer: String, maxSegmentBytes: Int64 = 64 << 20) throws {
    var configuration = SpoolConfiguration()
    configuration.fsync = .never
    configuration.maxSegmentBytes = maxSegmentBytes
    let writer = try SpoolWriter(directory: spool, producer: producer, configuration: configuration)
    var start = 0
    while start < bytes.count {
        var end = min(start + (32 << 10), bytes.count)
        while end < bytes.count && bytes[end - 1] != 0x0A { end += 1 }
        try writer.append(Array(bytes[start..<end]))
        start = end
    }
    try writer.close()
}

/// Counts newline-terminated lines in a file (0 when it does not exist).
func lineCount(_ path: String) -> Int {
    guard let data = FileManager.default.contents(atPath: path) else { return 0 }
    return data.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
}

/// A regular file in a spool that this process cannot read, even as root: made unreadable by
/// `chmod 000` for other users, and for root by bind-mounting `/proc/<pid>/mem` over it (it opens,
/// and every read fails with EIO). Mounting needs root with CAP_SYS_ADMIN; where neither works,
/// ``isPossible`` is false and the tests that need one are skipped.
enum UnreadableFile {
    static let isPossible: Bool = {
        guard geteuid() == 0 else { return true }
        let probe = NSTemporaryDirectory() + "tally-unreadable-probe-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: probe) }
        guard let unmount = make(at: probe) else { return false }
        unmount()
        return true
    }()

    /// Makes `path` unreadable; returns what undoes it (call before removing the directory), or `nil`.
    static func make(at path: String) -> (() -> Void)? {
        guard FileManager.default.createFile(atPath: path, contents: Data("{}\n".utf8)) else { return nil }
        if geteuid() != 0 {
            chmod(path, 0)
            return { chmod(path, 0o644) }
        }
        guard run("/usr/bin/mount", ["--bind", "/proc/\(getpid())/mem", path]) else { return nil }
        return { _ = run("/usr/bin/umount", [path]) }
    }

    private static func run(_ program: String, _ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
