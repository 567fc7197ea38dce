#if canImport(Glibc)
import TallyPosix
import Glibc
#endif
import Testing
import TallyCore
@testable import TallySnapshot

@Test func manifestRecordsPositionsSettingsHealthAndSummary() throws {
    let directory = temporaryDirectory()
    defer { removeTree(directory) }
    try Fixture.write(to: directory, deadLetter: "/var/dead")
    let manifest = try Manifest.read(path: FileOperations.join(directory, "snapshot-000000000001.json"))
    #expect(manifest.generation == 1)
    #expect(manifest.positions.serialized() == #"{"segments":{"seg-1":42},"files":{}}"#)
    #expect(manifest.settings.serialized() == #"{"inactivity_timeout":"30m"}"#)
    #expect(manifest.health.serialized() == #"{"lag_ms":5}"#)
    #expect(manifest.deadLetter == "/var/dead")
    #expect(manifest.watermark == Fixture.watermark)
    #expect(manifest.inactivityTimeoutMs == 30 * minute)
    #expect(manifest.summary["invalid"]?.serialized() == #"{"bad_ts":1,"not_json":2}"#)
    #expect(manifest.stateFile == "state-000000000001.bin")
    #expect(try manifest.readState(directory: directory) == [1, 2, 3])
}

@Test func currentViewsShowTheNewestCommittedGenerationInUSD() throws {
    let directory = temporaryDirectory()
    defer { removeTree(directory) }
    try Fixture.write(to: directory)
    let database = try Database(path: FileOperations.join(directory, "sessions.db"), mode: .readOnly)
    let statement = try database.prepare("SELECT session_id, status, cost_usd, started_at, ended_at FROM current_sessions ORDER BY cost_usd DESC, session_id")
    var rows: [String] = []
    while try statement.step() {
        rows.append([statement.string(0), statement.string(1), String(statement.double(2)), statement.string(3), statement.optionalString(4) ?? "null"].joined(separator: " "))
    }
    #expect(rows == [
        "s2 ACTIVE 2.0 2025-10-23T14:40:00.000Z null",
        "s4 FAILED 0.5 2025-10-23T15:00:00.000Z 2025-10-23T16:00:00.000Z",
        "s1 COMPLETED 0.00012345 2025-10-23T14:30:00.000Z 2025-10-23T14:31:00.000Z",
        "s3 TIMEOUT 0.0 2025-10-23T14:35:00.000Z 2025-10-23T14:50:00.000Z",
        "s5 CANCELLED 0.0 2025-10-23T16:10:00.000Z 2025-10-23T16:11:00.000Z",
    ])
    #expect(try database.scalar("SELECT count(*) FROM current_rollups WHERE kind = 'user'") == 3)
    #expect(try database.scalar("SELECT count(*) FROM current_timeline") == 3)
    #expect(try database.scalar("SELECT count(*) FROM current_alerts") == 2)
}

@Test func aNewSessionStoreUses16KiBPagesInWALMode() throws {
    let directory = temporaryDirectory()
    defer { removeTree(directory) }
    _ = try Fixture.write(to: directory)
    let database = try Database(path: FileOperations.join(directory, "sessions.db"), mode: .readOnly)
    #expect(try database.scalar("PRAGMA page_size") == 16_384)
    #expect(try database.scalar("SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'") == 1)
}

@Test func aSecondSnapshotWritesOnlyTheChangedSession() throws {
    let directory = temporaryDirectory()
    defer { removeTree(directory) }
    let writer = try Fixture.write(to: directory)
    #expect(try countRows(directory) == 5)

    var changed = Fixture.s2
    changed.messages += 1
    changed.lastActivityAt += minute
    writer.stage(changed, state: [9])
    var content = Fixture.content
    content.timeline[2].messages += 1
    let info = try writer.write(content: content, metadata: Fixture.metadata())

    #expect(info.generation == 2)
    #expect(info.sessionRowsWritten == 1)
    #expect(info.sessionRowsClosed == 1)
    #expect(info.viewRowsChanged == 2)
    #expect(try countRows(directory) == 6)
    #expect(try countRows(directory, where: "gen_from = 2") == 1)
    #expect(try countRows(directory, where: "gen_to = 2 AND session_id = 's2'") == 1)
    #expect(try countRows(directory, "timeline", where: "gen_from = 2") == 1)
    #expect(try countRows(directory, "rollups", where: "gen_from = 2 OR gen_to IS NOT NULL") == 0)
    #expect(try query(directory, .session("s2")).contains(#""messages":2"#))
    // The older generation still reads as it was.
    let old = try SnapshotReader(path: FileOperations.join(directory, "snapshot-000000000001.json"))
    #expect(try old.output(SnapshotQuery(.session("s2")), format: .json).contains(#""messages":1"#))
}

@Test func droppedSessionsDisappearFromTheNextSnapshot() throws {
    let directory = temporaryDirectory()
    defer { removeTree(directory) }
    let writer = try Fixture.write(to: directory)
    writer.stageDrop("s5")
    let info = try writer.write(content: Fixture.content, metadata: Fixture.metadata())
    #expect(info.sessionRowsClosed == 1)
    #expect(info.sessionRowsWritten == 0)
    #expect(try sessionIDs(directory, limit: 0) == ["s4", "s2", "s3", "s1"])
    #expect(throws: SnapshotError(code: .sessionNotFound, message: "no session s5 in snapshot \(directory)", path: directory)) {
        try query(directory, .session("s5"))
    }
}

@Test func keepsOnlyTheNewestSnapshotsAndPrunesInvisibleRows() throws {
    let directory = temporaryDirectory()
    defer { removeTree(directory) }
    let (writer, _) = try SnapshotWriter.open(directory: directory, keep: 2)
    for round in 1...4 {
        var row = Fixture.s2
        row.messages = Int64(round)
        writer.stage(row, state: [UInt8(round)])
        var content = Fixture.content
        content.timeline[0].messages = Int64(round)
        try writer.write(content: content, metadata: Fixture.metadata())
    }
    let names = try Posix.listDirectory(directory).filter { $0.hasPrefix("snapshot-") || $0.hasPrefix("state-") }.sorted()
    #expect(names == ["snapshot-000000000003.json", "snapshot-000000000004.json", "state-000000000003.bin", "state-000000000004.bin"])
    // Versions closed at generation 3 or before are gone; 3 and 4 remain.
    #expect(try countRows(directory) == 2)
    #expect(try countRows(directory, "timeline") == 4)
    #expect(try countRows(directory, "generations") == 2)
    let third = try SnapshotReader(path: FileOperations.join(directory, "snapshot-000000000003.json"))
    #expect(try third.output(SnapshotQuery(.session("s2")), format: .json).contains(#""messages":3"#))
    #expect(try query(directory, .session("s2")).contains(#""messages":4"#))
}

@Test func aHalfWrittenManifestIsIgnored() throws {
    let directory = temporaryDirectory()
    defer { removeTree(directory) }
    do {
        let writer = try Fixture.write(to: directory)
        var row = Fixture.s1
        row.messages = 40
        writer.stage(row, state: [4])
        try writer.write(content: Fixture.content, metadata: Fixture.metadata(positions: .files(segments: ["seg-1": 99], files: [:])))
    }
    // A crash while writing generation 3: a temporary manifest, and a torn one under the final name.
    let temporary = FileOperations.join(directory, ".snapshot-000000000003.json.0a1b2c3d.tmp")
    try writeText(#"{"format":"tally-snapshot","version":1,"gener"#, to: temporary)
    // Not named like Tally's temporary files: left alone, and so is a symlink named like one.
    let notOurs = FileOperations.join(directory, "notes.tmp")
    try writeText("keep\n", to: notOurs)
    let outside = FileOperations.join(directory, "outside.txt")
    try writeText("keep\n", to: outside)
    let link = FileOperations.join(directory, ".writer.lock.0a1b2c3d.tmp")
    #expect(symlink(outside, link) == 0)
    try writeText(#"{"format":"tally-snapshot","version":1,"generation":3,"#, to: FileOperations.join(directory, "snapshot-000000000003.json"))

    let reader = try SnapshotReader(path: directory)
    #expect(reader.generation == 2)
    #expect(try query(directory, .session("s1")).contains(#""messages":40"#))

    let (reopened, restored) = try SnapshotWriter.open(directory: directory, keep: 3)
    #expect(restored?.generation == 2)
    #expect(restored?.positions == .files(segments: ["seg-1": 99], files: [:]))
    #expect(!FileOperations.exists(temporary))
    #expect(FileOperations.exists(notOurs) && FileOperations.exists(outside))
    #expect(try Posix.lstat(link)?.isSymbolicLink == true)
    #expect(!FileOperations.exists(FileOperations.join(directory, "snapshot-000000000003.json")))
    _ = reopened
}

@Test func rowsOfAnUncommittedGenerationAreRolledBackOnOpen() throws {
    let directory = temporaryDirectory()
    var writer: SnapshotWriter? = try Fixture.write(to: directory)
    defer { removeTree(directory) }
    var row = Fixture.s3
    row.messages = 7
    writer!.stage(row, state: [7])
    writer!.stageDrop("s5")
    try writer!.write(content: Fixture.content, metadata: Fixture.metadata())
    writer = nil
    // Simulate a crash after the SQLite commit of generation 2 but before its manifest was renamed.
    try? Posix.remove(FileOperations.join(directory, "snapshot-000000000002.json"))
    #expect(try countRows(directory, where: "gen_from = 2") == 1)

    let (reopened, restored) = try SnapshotWriter.open(directory: directory, keep: 3)
    #expect(restored?.generation == 1)
    #expect(!FileOperations.exists(FileOperations.join(directory, "state-000000000002.bin")))
    #expect(try countRows(directory, where: "gen_from = 2") == 0)
    #expect(try countRows(directory, where: "gen_to IS NOT NULL") == 0)
    #expect(try sessionIDs(directory, limit: 0) == ["s5", "s4", "s2", "s3", "s1"])

    let info = try reopened.write(content: Fixture.content, metadata: Fixture.metadata())
    #expect(info.generation == 2)
    #expect(info.sessionRowsWritten == 0)
}

@Test func aFailedWriteKeepsItsChangesForTheNextWrite() throws {
    let directory = temporaryDirectory()
    defer { removeTree(directory) }
    let writer = try Fixture.write(to: directory)
    var row = Fixture.s1
    row.messages = 11
    writer.stage(row, state: [11])
    // A directory where the state file must go makes the rename fail after the SQLite commit.
    let obstacle = FileOperations.join(directory, "state-000000000002.bin")
    try FileOperations.createDirectories(FileOperations.join(obstacle, "x"))
    #expect(throws: SnapshotError.self) { try writer.write(content: Fixture.content, metadata: Fixture.metadata()) }
    #expect(writer.pendingCount == 1)
    #expect(try SnapshotReader(path: directory).generation == 1)
    #expect(!FileOperations.exists(FileOperations.join(directory, "snapshot-000000000002.json")))
    removeTree(obstacle)

    let info = try writer.write(content: Fixture.content, metadata: Fixture.metadata())
    #expect(info.generation == 2)
    #expect(info.sessionRowsWritten == 1)
    #expect(try countRows(directory, where: "session_id = 's1'") == 2)
    #expect(try query(directory, .session("s1")).contains(#""messages":11"#))
}

@Test func aSecondWriterOnTheSameDirectoryIsRefused() throws {
    let directory = temporaryDirectory()
    defer { removeTree(directory) }
    let (writer, restored) = try SnapshotWriter.open(directory: directory, keep: 2)
    #expect(restored == nil)
    #expect(throws: SnapshotError(code: .busy, message: "snapshot directory \(directory) is in use by another writer", path: directory)) {
        _ = try SnapshotWriter.open(directory: directory, keep: 2)
    }
    _ = writer
}

@Test func metadataIsWrittenIntoTheManifestAsJSONAndRestoredAsTypedValues() throws {
    let directory = temporaryDirectory()
    defer { removeTree(directory) }
    let positions = SnapshotPositions.streams([
        "b.W2": .init(segment: "b.W2.00000001.zst", offset: -1), "a.W1": .init(segment: "a.W1.00000003.zst", offset: 4096),
    ])
    let settings = JSONValue.object([("dead_letter", .string("/d\u{08}\u{0C}é\u{2028}")), ("keep", .int(5))])
    let health = JSONValue.object([("lag_bytes", .int(0)), ("lag_oldest_ms", .null), ("events_per_second", .double(2.5))])
    do {
        let (writer, _) = try SnapshotWriter.open(directory: directory, keep: 2)
        try writer.write(
            content: Fixture.content,
            metadata: SnapshotMetadata(positions: positions, settings: settings, health: health, snapshotAt: Fixture.snapshotAt))
    }
    let text = String(decoding: try FileOperations.readFile(FileOperations.join(directory, "snapshot-000000000001.json"), maxBytes: 1 << 30), as: UTF8.self)
    let lines = text.split(separator: "\n").map(String.init)
    #expect(lines.prefix(8) == [
        "{", #"  "format": "tally-snapshot","#, #"  "version": 1,"#, #"  "generation": 1,"#,
        #"  "snapshot_at": "2025-10-23T16:31:00.000Z","#, #"  "snapshot_at_ms": 1761237060000,"#,
        #"  "watermark": 1761237000000,"#, #"  "inactivity_timeout_ms": 1800000,"#,
    ])
    #expect(lines[8] == "  \"settings\": {\"dead_letter\":\"/d\\b\\fé\u{2028}\",\"keep\":5},")
    #expect(lines[9] == #"  "positions": {"positions":{"a.W1":{"offset":4096,"segment":"a.W1.00000003.zst"},"b.W2":{"offset":-1,"segment":"b.W2.00000001.zst"}}},"#)
    #expect(lines[10] == #"  "health": {"lag_bytes":0,"lag_oldest_ms":null,"events_per_second":2.5},"#)
    #expect(lines[11] == #"  "dead_letter": null,"#)
    #expect(lines.suffix(5) == [
        #"  "sessions_db": "sessions.db","#, #"  "state": "state-000000000001.bin","#, #"  "state_bytes": 3,"#,
        #"  "state_crc32": 1438416925"#, "}",
    ])
    #expect(text.hasSuffix("}\n"))

    let (_, restored) = try SnapshotWriter.open(directory: directory, keep: 2)
    #expect(restored?.positions == positions)
    #expect(restored?.settings == settings)
    #expect(restored?.health == health)
}

@Test func metadataWithoutPositionsRecordsEmptyObjects() throws {
    let directory = temporaryDirectory()
    defer { removeTree(directory) }
    do {
        let (writer, _) = try SnapshotWriter.open(directory: directory, keep: 2)
        try writer.write(content: Fixture.content, metadata: SnapshotMetadata(deadLetterDirectory: "dl"))
    }
    let manifest = try Manifest.read(path: FileOperations.join(directory, "snapshot-000000000001.json"))
    #expect(manifest.positions.serialized() == "{}")
    #expect(manifest.settings.serialized() == "{}")
    #expect(manifest.health.serialized() == "{}")
    #expect(manifest.deadLetter == "dl")
    let (_, restored) = try SnapshotWriter.open(directory: directory, keep: 2)
    #expect(restored?.positions == nil)
    #expect(restored?.deadLetterDirectory == "dl")
}

@Test func aSnapshotWhoseStateFileIsMissingIsPassedOverForTheOneBefore() throws {
    let directory = temporaryDirectory()
    defer { removeTree(directory) }
    do {
        let writer = try Fixture.write(to: directory)
        var row = Fixture.s1
        row.messages = 40
        writer.stage(row, state: [4])
        try writer.write(content: Fixture.content, metadata: Fixture.metadata(positions: .files(segments: ["seg-1": 99], files: [:])))
    }
    // Generation 2's state file never reached the disk (renames reordered by a power loss).
    try? Posix.remove(FileOperations.join(directory, "state-000000000002.bin"))

    let (reopened, restored) = try SnapshotWriter.open(directory: directory, keep: 3)
    #expect(restored?.generation == 1)
    #expect(restored?.positions == .files(segments: ["seg-1": 42], files: [:]))
    #expect(reopened.nextGeneration == 2)
}

@Test func theFirstSnapshotIsWrittenWithoutAJournalAndLeavesTheDatabaseInWALMode() throws {
    let directory = temporaryDirectory()
    defer { removeTree(directory) }
    let writer = try Fixture.write(to: directory)
    let database = try Database(path: FileOperations.join(directory, "sessions.db"), mode: .readOnly)
    let mode = try database.prepare("PRAGMA journal_mode")
    #expect(try mode.step())
    #expect(mode.string(0) == "wal")
    #expect(try countRows(directory) == 5)
    // Later generations go through the WAL as before.
    var row = Fixture.s1
    row.messages = 12
    writer.stage(row, state: [12])
    #expect(try writer.write(content: Fixture.content, metadata: Fixture.metadata()).generation == 2)
    #expect(try query(directory, .session("s1")).contains(#""messages":12"#))
}

@Test func aDamagedDatabaseWithoutACompleteSnapshotIsStartedAfresh() throws {
    let directory = temporaryDirectory()
    defer { removeTree(directory) }
    // What a crash in the middle of an unjournaled first write may leave: no manifest, a garbled file.
    try FileOperations.createDirectories(directory)
    try FileOperations.writeAtomically(Array(repeating: 0xAB, count: 8192), to: FileOperations.join(directory, "sessions.db"))
    let (writer, restored) = try SnapshotWriter.open(directory: directory, keep: 3)
    #expect(restored == nil)
    for row in Fixture.sessions { writer.stage(row, state: [1]) }
    #expect(try writer.write(content: Fixture.content, metadata: Fixture.metadata()).generation == 1)
    #expect(try sessionIDs(directory, limit: 0) == ["s5", "s4", "s2", "s3", "s1"])
}

@Test func aFirstWriteThatFailsAfterItsCommitIsRolledBackAndRetried() throws {
    let directory = temporaryDirectory()
    defer { removeTree(directory) }
    let (writer, _) = try SnapshotWriter.open(directory: directory, keep: 3)
    for row in Fixture.sessions { writer.stage(row, state: [1]) }
    let obstacle = FileOperations.join(directory, "state-000000000001.bin")
    try FileOperations.createDirectories(FileOperations.join(obstacle, "x"))
    #expect(throws: SnapshotError.self) { try writer.write(content: Fixture.content, metadata: Fixture.metadata()) }
    #expect(writer.pendingCount == 5)
    removeTree(obstacle)

    let info = try writer.write(content: Fixture.content, metadata: Fixture.metadata())
    #expect(info.generation == 1)
    #expect(try countRows(directory) == 5)
    #expect(try countRows(directory, "alerts") == 2)
    #expect(try countRows(directory, "timeline") == 3)
}

@Test func copiesOfAnAlertAreOneRowAndAnAlertThatWentAwayIsClosed() throws {
    let directory = temporaryDirectory()
    defer { removeTree(directory) }
    let (writer, _) = try SnapshotWriter.open(directory: directory, keep: 3)
    var content = Fixture.content
    let (slow, burst) = (content.alerts[0], content.alerts[1])
    content.alerts = [slow, slow, burst]
    let rollupRows = content.rollups.values.reduce(0) { $0 + $1.count }
    // Every rollup and timeline row, and two alert rows for three alerts.
    #expect(try writer.write(content: content, metadata: Fixture.metadata()).viewRowsChanged == rollupRows + 3 + 2)
    #expect(try countRows(directory, "alerts") == 2)

    content.alerts = [burst]
    let info = try writer.write(content: content, metadata: Fixture.metadata())
    #expect(info.viewRowsChanged == 1)
    #expect(try countRows(directory, "current_alerts") == 1)
    #expect(try countRows(directory, "alerts", where: "gen_to = 2 AND kind = 'slow_response'") == 1)
}
