#if canImport(Glibc)
import TallyPosix
import Glibc
#endif
import TallyCore
@testable import TallySnapshot

/// 2025-10-23T14:30:00.000Z
let t0: Int64 = 1_761_229_800_000
let minute: Int64 = 60_000

/// A fresh empty directory under /tmp, removed by the caller with `removeTree`.
func temporaryDirectory(_ name: String = #function) -> String {
    var template = Array("/tmp/tally-snapshot-test-XXXXXX".utf8CString)
    let path = template.withUnsafeMutableBufferPointer { buffer in String(cString: mkdtemp(buffer.baseAddress!)!) }
    return path
}

func removeTree(_ path: String) {
    for name in (try? Posix.listDirectory(path)) ?? [] {
        let child = FileOperations.join(path, name)
        if FileOperations.isDirectory(child) { removeTree(child) } else { unlink(child) }
    }
    rmdir(path)
}

func writeText(_ text: String, to path: String) throws {
    try FileOperations.writeAtomically(Array(text.utf8), to: path)
}

/// Five sessions with hand-picked numbers; the inactivity timeout is 30 minutes and the
/// watermark t0 + 120 min, so s2 is ACTIVE and s3 a derived TIMEOUT.
enum Fixture {
    static let timeoutMs: Int64 = 30 * minute
    static let watermark: Int64 = t0 + 120 * minute
    static let snapshotAt: Int64 = t0 + 121 * minute

    static var s1: SessionRow {
        var row = SessionRow(sessionID: "s1", startedAt: t0, lastActivityAt: t0 + minute)
        row.endStatus = .completed
        row.endTimestamp = t0 + minute
        row.conversationID = "c1"
        row.userID = "u1"
        row.orgID = "o1"
        row.projectID = "p1"
        row.personaID = "helper"
        row.messages = 4
        row.userMessages = 2
        row.assistantMessages = 2
        row.llmCalls = 2
        row.inputTokens = 1000
        row.outputTokens = 200
        row.costNanos = 123_450
        row.toolCalls = 1
        row.responseCount = 2
        row.responseTotalMs = 3001
        row.maxResponseMs = 2000
        row.lastModel = "m-a"
        row.cachedInputTokens = 400
        row.cacheWriteInputTokens = 50
        row.reasoningTokens = 30
        row.feedback = 3
        row.ratings = 2
        row.averageRating = 4.5
        row.positiveFeedback = 2
        row.negativeFeedback = 1
        row.logErrors = 1
        row.maxContextRatio = 0.125
        row.models = [SessionModelUsage(model: "m-a", calls: 2, inputTokens: 1000, outputTokens: 200, costNanos: 123_450)]
        row.tools = [SessionToolUsage(toolName: "search", calls: 1, errors: 0, timeouts: 0)]
        return row
    }

    static var s2: SessionRow {
        var row = SessionRow(sessionID: "s2", startedAt: t0 + 10 * minute, lastActivityAt: t0 + 110 * minute)
        row.userID = "u2"
        row.orgID = "o1"
        row.projectID = "p2"
        row.messages = 1
        row.userMessages = 1
        row.llmCalls = 3
        row.llmErrors = 1
        row.inputTokens = 5000
        row.costNanos = 2_000_000_000
        row.toolCalls = 2
        row.toolErrors = 1
        row.toolTimeouts = 1
        row.lastModel = "m-b"
        return row
    }

    static var s3: SessionRow {
        var row = SessionRow(sessionID: "s3", startedAt: t0 + 5 * minute, lastActivityAt: t0 + 20 * minute)
        row.userID = "u1"
        row.orgID = "o2"
        row.unpricedLLMCalls = 1
        row.llmCalls = 1
        return row
    }

    static var s4: SessionRow {
        var row = SessionRow(sessionID: "s4", startedAt: t0 + 30 * minute, lastActivityAt: t0 + 90 * minute)
        row.endStatus = .failed
        row.endTimestamp = t0 + 90 * minute
        row.errorMessage = "boom, \"bad\"\nline2"
        row.userID = "u3"
        row.inputTokens = 10
        row.outputTokens = 20
        row.llmCalls = 1
        row.costNanos = 500_000_000
        return row
    }

    static var s5: SessionRow {
        var row = SessionRow(sessionID: "s5", startedAt: t0 + 100 * minute, lastActivityAt: t0 + 101 * minute)
        row.endStatus = .cancelled
        row.endTimestamp = t0 + 101 * minute
        row.userID = "u3"
        return row
    }

    static var sessions: [SessionRow] { [s1, s2, s3, s4, s5] }

    static var content: SnapshotContent {
        var summary = SummaryView()
        summary.events = 20
        summary.duplicates = 1
        summary.invalid = ["not_json": 2, "bad_ts": 1]
        summary.sessions = ["total": 5, "ACTIVE": 1, "COMPLETED": 1, "FAILED": 1, "CANCELLED": 1, "TIMEOUT": 1]
        summary.messages = 5
        summary.llmCalls = 7
        summary.toolCalls = 3
        summary.inputTokens = 6010
        summary.outputTokens = 220
        summary.costNanos = 2_500_123_450
        summary.unpricedLLMCalls = 1
        summary.cachedInputTokens = 300
        summary.feedback = 3
        summary.ratings = 2
        summary.averageRating = 4.5
        summary.sentiment = ["positive": 1, "neutral": 0, "negative": 1]
        summary.invalidFields = ["ts": 1]
        summary.watermark = watermark

        var search = ToolView(toolName: "search")
        search.calls = 3
        search.success = 2
        search.error = 1
        search.successRate = 2.0 / 3.0
        search.avgMs = 150.5
        search.p50Ms = 120
        search.p95Ms = 300
        search.p99Ms = 300
        search.maxMs = 300
        var fetch = ToolView(toolName: "fetch")
        fetch.calls = 5
        fetch.success = 5
        fetch.successRate = 1
        fetch.avgMs = 20
        fetch.p50Ms = 20
        fetch.p95Ms = 20
        fetch.p99Ms = 20
        fetch.maxMs = 20

        var modelA = ModelView(model: "m-a")
        modelA.calls = 3
        modelA.inputTokens = 1010
        modelA.outputTokens = 220
        modelA.costNanos = 500_123_450
        modelA.avgLatencyMs = 812.5
        modelA.p50LatencyMs = 800
        modelA.p95LatencyMs = 900
        modelA.p99LatencyMs = 900
        modelA.avgTTFTMs = 120
        var modelB = ModelView(model: "m-b")
        modelB.calls = 3
        modelB.errors = 1
        modelB.inputTokens = 5000
        modelB.costNanos = 2_000_000_000

        func rollup(_ key: String, _ sessions: Int64, _ calls: Int64, _ input: Int64?, _ output: Int64?, _ cost: Int64, _ toolErrors: Int64) -> RollupView {
            var view = RollupView(key: key)
            view.sessions = sessions
            view.llmCalls = calls
            view.inputTokens = input
            view.outputTokens = output
            view.costNanos = cost
            view.toolErrors = toolErrors
            return view
        }
        var u1 = rollup("u1", 2, 3, 1000, 200, 123_450, 0)
        u1.active = 1
        u1.completed = 1
        u1.responseCount = 2
        u1.responseTotalMs = 3_000
        u1.feedback = 3
        u1.averageRating = 4.5
        u1.negativeFeedback = 1
        let users = [
            u1, rollup("u2", 1, 3, 5000, nil, 2_000_000_000, 1),
            rollup("u3", 2, 1, 10, 20, 500_000_000, 0),
        ]
        let orgs = [rollup("o1", 2, 5, 6000, 200, 2_000_123_450, 1), rollup("o2", 1, 1, nil, nil, 0, 0)]
        let projects = [rollup("p1", 1, 2, 1000, 200, 123_450, 0), rollup("p2", 1, 3, 5000, nil, 2_000_000_000, 1)]

        var first = TimelineBucket(bucketStart: t0)
        first.sessionsStarted = 1
        first.messages = 2
        first.llmCalls = 1
        first.inputTokens = 500
        first.outputTokens = 100
        first.costNanos = 100
        var second = TimelineBucket(bucketStart: t0 + minute)
        second.sessionsEnded = 1
        second.messages = 2
        second.llmCalls = 1
        second.inputTokens = 500
        second.outputTokens = 100
        second.costNanos = 123_350
        second.toolCalls = 1
        second.feedback = 3
        second.negativeFeedback = 1
        var third = TimelineBucket(bucketStart: t0 + 65 * minute)
        third.llmCalls = 1
        third.costNanos = 2_000_000_000
        third.llmErrors = 1
        third.toolErrors = 1

        let alerts = [
            AlertView(kind: .slowResponse, sessionID: "s1", userID: "u1", timestamp: t0 + 30_000, value: 45_000,
                      threshold: 30_000, detail: "response took 45.0 s"),
            AlertView(kind: .accessBurst, sessionID: nil, userID: "u9", timestamp: t0 + 70 * minute, value: 6,
                      threshold: 5, detail: "6 denied or rate-limited"),
        ]
        return SnapshotContent(
            watermark: watermark, inactivityTimeoutMs: timeoutMs, summary: summary, tools: [search, fetch],
            models: [modelB, modelA],
            errors: [
                ErrorGroupView(kind: .llm, name: "model-a", status: "error", message: "rate limit #", count: 3,
                               firstTimestamp: t0 + minute, lastTimestamp: t0 + 9 * minute, sessionID: "s1"),
                ErrorGroupView(kind: .tool, name: "search", status: "timeout", message: nil, count: 1,
                               firstTimestamp: t0 + 2 * minute, lastTimestamp: t0 + 2 * minute, sessionID: "s2"),
            ],
            rollups: ["user": users, "org": orgs, "project": projects],
            timeline: [first, second, third], alerts: alerts, globals: [1, 2, 3])
    }

    static func metadata(
        positions: SnapshotPositions = .files(segments: ["seg-1": 42], files: [:]), deadLetter: String? = nil
    ) -> SnapshotMetadata {
        SnapshotMetadata(
            positions: positions, settings: .object([("inactivity_timeout", .string("30m"))]),
            health: .object([("lag_ms", .int(5))]),
            deadLetterDirectory: deadLetter, snapshotAt: snapshotAt)
    }

    /// Writes the fixture as generation 1 of `directory`.
    @discardableResult
    static func write(to directory: String, deadLetter: String? = nil) throws -> SnapshotWriter {
        let (writer, _) = try SnapshotWriter.open(directory: directory, keep: 3)
        for row in sessions { writer.stage(row, state: Array(row.sessionID.utf8)) }
        try writer.write(content: content, metadata: metadata(deadLetter: deadLetter))
        return writer
    }
}

/// Counts rows of `sessions.db` in `directory` with a SQL condition.
func countRows(_ directory: String, _ table: String = "sessions", where condition: String = "1") throws -> Int64 {
    let database = try Database(path: FileOperations.join(directory, "sessions.db"), mode: .readOnly)
    return try database.scalar("SELECT count(*) FROM \(table) WHERE \(condition)") ?? -1
}

/// The answer to a query of `subject` in `format`.
func query(_ directory: String, _ subject: SnapshotQuery.Subject, format: OutputFormat = .json,
           status: SessionStatus? = nil, user: String? = nil, org: String? = nil, project: String? = nil,
           since: Int64? = nil, until: Int64? = nil, sort: SessionSort? = nil, limit: Int? = nil, offset: Int? = nil,
           bucket: BucketWidth? = nil, kind: AlertView.Kind? = nil) throws -> String {
    let query = SnapshotQuery(
        subject, status: status, userID: user, orgID: org, projectID: project, since: since, until: until,
        sort: sort, limit: limit, offset: offset, bucket: bucket, alertKind: kind)
    return try SnapshotReader(path: directory).output(query, format: format)
}

/// The `session_id`s of a `sessions` query, in order.
func sessionIDs(_ directory: String, status: SessionStatus? = nil, user: String? = nil, org: String? = nil,
                project: String? = nil, since: Int64? = nil, until: Int64? = nil, sort: SessionSort? = nil,
                limit: Int? = nil, offset: Int? = nil) throws -> [String] {
    let ndjson = try query(directory, .sessions, format: .ndjson, status: status, user: user, org: org, project: project,
                           since: since, until: until, sort: sort, limit: limit, offset: offset)
    return try ndjson.split(separator: "\n").map { line in
        try JSONParser.parse(String(line))["session_id"]?.stringValue ?? "?"
    }
}
