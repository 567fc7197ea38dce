import TallyPosix
import Testing
import TallyCore
@testable import TallySnapshot

/// Events of `count` sessions: start, a user/assistant exchange, an LLM call, a tool call and,
/// for most, an end; spread over a few hours of event time.
func sampleEvents(sessions count: Int) -> [Event] {
    var events: [Event] = []
    for index in 0..<count {
        let id = "sess-\(index)"
        let start = t0 + Int64(index) * 7 * minute
        let context = SessionContext(userID: "user-\(index % 3)", orgID: "org-\(index % 2)", projectID: "proj-\(index % 4)")
        events.append(Event(timestamp: start, sessionID: id, eventID: EventID("\(id)-start"), context: context, payload: .sessionStart))
        events.append(Event(timestamp: start + 1000, sessionID: id, context: context, payload: .message(.init(role: .user))))
        events.append(Event(timestamp: start + 2500 + Int64(index) * 40_000, sessionID: id, context: context, payload: .message(.init(role: .assistant))))
        events.append(Event(
            timestamp: start + 2000, sessionID: id, context: context,
            payload: .llmCall(.init(
                model: index % 2 == 0 ? "m-a" : "m-b", inputTokens: Int64(100 * (index + 1)), outputTokens: 50,
                costNanos: Int64(1_000 * (index + 1)), latencyMs: 700 + Int64(index), status: index % 5 == 4 ? .error : .success,
                contextWindow: 1000))))
        events.append(Event(
            timestamp: start + 3000, sessionID: id, context: context,
            payload: .toolCall(.init(toolName: index % 3 == 0 ? "search" : "fetch", status: index % 4 == 3 ? .timeout : .success, executionTimeMs: 100 + Int64(index) * 9_000))))
        if index % 3 != 2 {
            events.append(Event(
                timestamp: start + 60_000, sessionID: id, context: context,
                payload: .sessionEnd(.init(status: index % 3 == 0 ? .completed : .failed, errorMessage: index % 3 == 1 ? "oops" : nil))))
        }
        events.append(Event(timestamp: start + 4000, sessionID: nil, context: context, payload: .access(.init(outcome: .denied))))
    }
    return events
}

func settingsForTests() -> FoldSettings {
    var settings = FoldSettings()
    settings.inactivityTimeoutMs = 30 * minute
    settings.pricing = ["m-b": [ModelPrice(inputPicosPerToken: 1_000_000, outputPicosPerToken: 2_000_000)]]
    return settings
}

func expectSameViews(_ a: FoldState, _ b: FoldState) {
    #expect(a.summary() == b.summary())
    #expect(a.sessionRows().sorted { $0.sessionID < $1.sessionID } == b.sessionRows().sorted { $0.sessionID < $1.sessionID })
    #expect(a.tools() == b.tools())
    #expect(a.models() == b.models())
    for key in RollupKey.allCases { #expect(a.rollups(by: key) == b.rollups(by: key)) }
    #expect(a.timeline() == b.timeline())
    #expect(Set(a.alerts()) == Set(b.alerts()))
}

@Test func resumingFromASnapshotThenFoldingMoreEqualsFoldingEverything() throws {
    let directory = temporaryDirectory()
    defer { removeTree(directory) }
    let events = sampleEvents(sessions: 12)
    let split = events.count / 2
    let settings = settingsForTests()

    var first = FoldState(settings: settings)
    for event in events[..<split] { first.fold(event) }
    first.recordInvalid(.notJSON)
    do {
        let (writer, restored) = try SnapshotWriter.open(directory: directory, keep: 2)
        #expect(restored == nil)
        let positions = SnapshotPositions.streams(["a.W": .init(segment: "a.W.00000001.zst", offset: 1)])
        try writer.write(&first, metadata: SnapshotMetadata(positions: positions, settings: .object([("v", .int(1))])))
    }

    let (writer, restored) = try SnapshotWriter.open(directory: directory, keep: 2)
    let snapshot = try #require(restored)
    #expect(snapshot.generation == 1)
    #expect(snapshot.positions == .streams(["a.W": .init(segment: "a.W.00000001.zst", offset: 1)]))
    #expect(snapshot.settings == .object([("v", .int(1))]))
    var resumed = try snapshot.rebuildFold(settings: settings)
    expectSameViews(resumed, first)

    for event in events[split...] { resumed.fold(event) }
    var whole = FoldState(settings: settings)
    for event in events { whole.fold(event) }
    whole.recordInvalid(.notJSON)
    expectSameViews(resumed, whole)

    // The snapshot written after resuming reads like one written from the whole fold.
    let metadata = SnapshotMetadata(
        positions: .streams(["a.W": .init(segment: "a.W.00000001.zst", offset: 2)]), settings: .object([("v", .int(1))]),
        snapshotAt: t0)
    try writer.write(&resumed, metadata: metadata)
    try expectReadsLikeSnapshot(of: &whole, directory: directory, metadata: metadata, session: "sess-3")
}

/// Every query subject of the snapshot in `directory` reads as that of a snapshot written from `whole`,
/// and so does `query session` of one session.
func expectReadsLikeSnapshot(
    of whole: inout FoldState, directory: String, metadata: SnapshotMetadata, session sessionID: String
) throws {
    let other = temporaryDirectory()
    defer { removeTree(other) }
    let (otherWriter, _) = try SnapshotWriter.open(directory: other, keep: 2)
    try otherWriter.write(&whole, metadata: metadata)
    let subjects: [SnapshotQuery.Subject] = [.summary, .sessions, .tools, .models, .rollups(by: .user), .timeline, .alerts]
    for subject in subjects {
        let limit: Int? = subject == .sessions ? 0 : nil
        #expect(try query(directory, subject, limit: limit) == query(other, subject, limit: limit), "\(subject)")
    }
    #expect(try query(directory, .session(sessionID)) == query(other, .session(sessionID)))
}

/// `events` folded into two parts split by session (`part` of each session id) with retention suspended,
/// then each part's changes taken after applying retention at the watermark of both, as replay's shards do.
func splitBySession(
    _ events: [Event], settings: FoldSettings, part: (String) -> Int
) -> (parts: [FoldState], changes: [FoldChanges], watermark: Int64) {
    var parts = [FoldState(settings: settings), FoldState(settings: settings)]
    for index in parts.indices { parts[index].suspendRetention() }
    for event in events { parts[event.sessionID.map(part) ?? 0].fold(event) }
    let watermark = parts.compactMap(\.watermark).max()!
    var changes: [FoldChanges] = []
    for index in parts.indices {
        parts[index].resumeRetention(watermark: watermark)
        changes.append(parts[index].takeChanges())
    }
    return (parts, changes, watermark)
}

@Test func writesFromAFoldAreIncremental() throws {
    let directory = temporaryDirectory()
    defer { removeTree(directory) }
    let events = sampleEvents(sessions: 10)
    var fold = FoldState(settings: settingsForTests())
    for event in events { fold.fold(event) }
    let (writer, _) = try SnapshotWriter.open(directory: directory, keep: 3)
    let first = try writer.write(&fold, metadata: SnapshotMetadata())
    #expect(first.sessionRowsWritten == 10)

    let second = try writer.write(&fold, metadata: SnapshotMetadata())
    #expect(second.sessionRowsWritten == 0)
    #expect(second.viewRowsChanged == 0)

    let last = events.last { $0.sessionID == "sess-4" }!
    fold.fold(Event(timestamp: last.timestamp + 1, sessionID: "sess-4", payload: .message(.init(role: .user))))
    let third = try writer.write(&fold, metadata: SnapshotMetadata())
    #expect(third.sessionRowsWritten == 1)
    #expect(try countRows(directory) == 11)
    #expect(try countRows(directory, where: "gen_from = 3 AND session_id = 'sess-4'") == 1)
    #expect(try query(directory, .session("sess-4")).contains(#""messages":3,"user_messages":2,"#))
}

/// Replay's path: parts split by session take their changes (after applying retention at the watermark
/// of all of them), and the writer inserts those while the parts are merged; the merged fold's own
/// changes (here: one more event) replace the rows they name. The snapshot reads as one written from
/// the whole fold with retention applied at the end.
@Test func writingPartChangesWhileMergingEqualsWritingTheWholeFold() throws {
    var settings = settingsForTests()
    settings.sessionRetentionMs = 20 * minute
    let events = sampleEvents(sessions: 12)
    let extra = Event(timestamp: t0 + 70 * minute + 5_000, sessionID: "sess-10", payload: .message(.init(role: .user)))

    var whole = FoldState(settings: settings)
    whole.suspendRetention()
    for event in events + [extra] { whole.fold(event) }
    whole.resumeRetention()

    let (parts, partChanges, watermark) = splitBySession(events, settings: settings) { Int($0.dropFirst(5))! < 6 ? 0 : 1 }
    let dropped = partChanges.flatMap(\.droppedSessionIDs)
    #expect(!dropped.isEmpty, "retention drops sessions of the parts")
    #expect(partChanges.flatMap(\.sessions).contains { $0.row.sessionID == "sess-10" })

    let directory = temporaryDirectory()
    defer { removeTree(directory) }
    let (writer, _) = try SnapshotWriter.open(directory: directory, keep: 2)
    let metadata = SnapshotMetadata(snapshotAt: t0)
    let (info, merged) = try writer.write(
        partChanges: partChanges, watermark: watermark, inactivityTimeoutMs: settings.inactivityTimeoutMs,
        merging: {
            var fold = parts[0]
            fold.merge(parts[1])
            fold.fold(extra)
            return fold
        },
        metadata: metadata)
    expectSameViews(merged, whole)
    #expect(info.sessionRowsWritten == whole.sessionRows().count)
    #expect(try countRows(directory) == Int64(whole.sessionRows().count))
    #expect(try countRows(directory, where: "session_id = 'sess-10'") == 1)
    for sessionID in dropped { #expect(try countRows(directory, where: "session_id = '\(sessionID)'") == 0) }
    try expectReadsLikeSnapshot(of: &whole, directory: directory, metadata: metadata, session: "sess-10")
}

/// A write of part changes that fails after its SQLite commit (the state file cannot be put in place)
/// keeps every part's changes pending; the next write holds them all and reads as the whole fold.
@Test func aFailedPartChangesWriteKeepsThePartsChangesForTheNextWrite() throws {
    var settings = settingsForTests()
    settings.sessionRetentionMs = 20 * minute
    let events = sampleEvents(sessions: 12)
    var whole = FoldState(settings: settings)
    whole.suspendRetention()
    for event in events { whole.fold(event) }
    whole.resumeRetention()

    let (parts, partChanges, watermark) = splitBySession(events, settings: settings) { Int($0.dropFirst(5))! % 2 }
    let changed = partChanges.reduce(0) { $0 + $1.sessions.count + $1.droppedSessionIDs.count }
    #expect(partChanges.allSatisfy { !$0.sessions.isEmpty })
    #expect(partChanges.contains { !$0.droppedSessionIDs.isEmpty }, "retention drops sessions of the parts")
    let merge = {
        var fold = parts[0]
        fold.merge(parts[1])
        return fold
    }

    let directory = temporaryDirectory()
    defer { removeTree(directory) }
    let (writer, _) = try SnapshotWriter.open(directory: directory, keep: 2)
    let metadata = SnapshotMetadata(snapshotAt: t0)
    let obstacle = FileOperations.join(directory, "state-000000000001.bin")
    try FileOperations.createDirectories(FileOperations.join(obstacle, "x"))
    #expect(throws: SnapshotError.self) {
        _ = try writer.write(
            partChanges: partChanges, watermark: watermark, inactivityTimeoutMs: settings.inactivityTimeoutMs,
            merging: merge, metadata: metadata)
    }
    #expect(writer.pendingCount == changed)
    removeTree(obstacle)

    let (info, merged) = try writer.write(
        partChanges: [], watermark: watermark, inactivityTimeoutMs: settings.inactivityTimeoutMs,
        merging: merge, metadata: metadata)
    #expect(info.generation == 1)
    #expect(writer.pendingCount == 0)
    expectSameViews(merged, whole)
    #expect(try countRows(directory) == Int64(whole.sessionRows().count))
    let retained = try #require(whole.sessionRows().map(\.sessionID).min())
    try expectReadsLikeSnapshot(of: &whole, directory: directory, metadata: metadata, session: retained)
}
