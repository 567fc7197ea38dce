// Snapshot write cost against retained history, through the public fold and snapshot APIs.
//
//   SnapshotBench DIR RETAINED ROUNDS
//
// Folds RETAINED sessions that have ended (start, a model call, a tool call, an end), writes
// them in a first snapshot, then ROUNDS times folds one message into each of 1,000 live
// sessions and writes a snapshot, timing each write (fold.takeChanges, views, SQLite, manifest).
// Prints the median write time; leaves DIR for query timings.
import TallyCore
import TallySnapshot
#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count == 4, let retained = Int(arguments[2]), let rounds = Int(arguments[3]) else {
    print("usage: SnapshotBench DIR RETAINED ROUNDS")
    exit(2)
}
let directory = arguments[1]
let start: Int64 = 1_761_177_600_000
var settings = FoldSettings()
settings.pricing["claude-3-5-haiku-20241022"] = ModelPrice(inputPicosPerToken: 800_000, outputPicosPerToken: 4_000_000)
var fold = FoldState(settings: settings)

let clock = ContinuousClock()
let fillTime = clock.measure {
    for index in 0..<retained {
        let id = "sess-\(index)"
        let t = start + Int64(index) * 50
        let context = SessionContext(userID: "user-\(index % 50_000)", orgID: "org-\(index % 300)", projectID: "project-\(index % 2_000)")
        fold.fold(Event(timestamp: t, sessionID: id, context: context, payload: .sessionStart))
        fold.fold(Event(
            timestamp: t + 1_000, sessionID: id, context: context,
            payload: .llmCall(.init(model: "claude-3-5-haiku-20241022", inputTokens: Int64(1_000 + index % 9_000), outputTokens: 200, latencyMs: Int64(500 + index % 4_000)))))
        fold.fold(Event(
            timestamp: t + 2_000, sessionID: id, context: context,
            payload: .toolCall(.init(toolName: index % 2 == 0 ? "search_messages" : "get_token_usage", status: index % 20 == 0 ? .error : .success, executionTimeMs: Int64(100 + index % 900)))))
        fold.fold(Event(timestamp: t + 3_000, sessionID: id, context: context, payload: .sessionEnd(.init(status: .completed))))
    }
}
let (writer, _) = try SnapshotWriter.open(directory: directory, keep: 5)
// The public metadata: no positions, settings or health (`{}` each), as a library user writes it.
func metadata(_ round: Int) -> SnapshotMetadata {
    SnapshotMetadata()
}
let firstWrite = try clock.measure { try writer.write(&fold, metadata: metadata(0)) }

var times: [Duration] = []
var now = start + Int64(retained) * 50 + 10_000
for round in 1...rounds {
    for live in 0..<1_000 {
        now += 1
        fold.fold(Event(
            timestamp: now, sessionID: "live-\(live)", context: SessionContext(userID: "user-\(live)"),
            payload: .message(.init(role: round % 2 == 0 ? .assistant : .user))))
    }
    times.append(try clock.measure { try writer.write(&fold, metadata: metadata(round)) })
}
times.sort()
func ms(_ duration: Duration) -> String {
    let value = Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) / 1e15
    return String(Int(value.rounded()))
}
print("retained=\(retained) fold_ms=\(ms(fillTime)) first_write_ms=\(ms(firstWrite)) median_write_ms=\(ms(times[times.count / 2])) min_ms=\(ms(times[0])) max_ms=\(ms(times[times.count - 1]))")
