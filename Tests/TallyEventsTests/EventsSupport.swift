import Foundation
import TallyEvents
import TallyPipeline
import TallySnapshot
import TallySpool
import TallyTestSupport

/// A pipeline in a fresh temporary directory: `pipeline.yaml`, `spool/`, `snapshots/`.
struct EventsScratch {
    let path: String
    let settings: PipelineSettings

    init(yaml: String = "pricing:\n  gpt-4o-mini: { input: 0.15, output: 0.60 }\n", name: String = #function) throws {
        path = try freshDirectory("events", test: name)
        try yaml.write(toFile: path + "/pipeline.yaml", atomically: true, encoding: .utf8)
        settings = try PipelineSettings.load(path: path + "/pipeline.yaml")
    }

    var spool: String { settings.spool }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }

    /// Appends each batch as its own frames, with one writer, and seals the segment.
    func write(_ batches: [[String]], producer: String = "api") throws {
        let writer = try SpoolWriter(directory: spool, producer: producer)
        for batch in batches { try writer.append(lines: batch) }
        try writer.close()
    }

    func runOnce() async throws {
        var options = Consumer.Options()
        options.once = true
        try await Consumer(settings: settings, options: options).run()
    }

    func reader(_ directory: String? = nil) throws -> SnapshotReader {
        try SnapshotReader(path: directory ?? settings.snapshots)
    }

    /// The session's rows and what the read reported.
    func events(_ session: String, types: Set<String> = [], in directory: String? = nil) throws -> ([EventRow], EventReadReport) {
        var rows: [EventRow] = []
        let report = try SessionEvents.read(snapshot: reader(directory), session: session, types: types) { rows.append($0) }
        return (rows, report)
    }
}

extension EventRow {
    var text: String { String(decoding: event, as: UTF8.self) }
}

/// One event line of `type` at epoch ms `ts` in session `session`, with `extra` fields (JSON text, no braces).
func line(_ type: String, _ ts: Int64, _ session: String, _ extra: String = "") -> String {
    #"{"type":"\#(type)","ts":\#(ts),"session_id":"\#(session)""# + (extra.isEmpty ? "" : "," + extra) + "}"
}
