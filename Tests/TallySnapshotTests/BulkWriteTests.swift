import TallyPosix
import Testing
import TallyCore
@testable import TallySnapshot

/// A first write of many sessions drops the indexes of the session tables and of the frame
/// lists, inserts, and builds the indexes once (``SnapshotWriter/bulkInsertThreshold``). Written
/// that way, a snapshot must read exactly as one written row by row.
@Test func aBulkFirstWriteReadsExactlyAsOneWrittenRowByRow() throws {
    let bulk = temporaryDirectory("bulk")
    let rowByRow = temporaryDirectory("row-by-row")
    defer {
        removeTree(bulk)
        removeTree(rowByRow)
    }
    let events = sampleEvents(sessions: 40)
    for (directory, threshold) in [(bulk, 1), (rowByRow, Int.max)] {
        var fold = FoldState(settings: settingsForTests())
        for (index, event) in events.enumerated() {
            fold.setCurrentFrame(path: "/spool/seg-\(index % 3).zst", offset: Int64(index / 3) * 4096)
            fold.fold(event)
        }
        let (writer, _) = try SnapshotWriter.open(directory: directory, keep: 3)
        writer.bulkInsertThreshold = threshold
        try writer.write(&fold, metadata: Fixture.metadata())
    }

    let subjects: [SnapshotQuery.Subject] = [
        .summary, .sessions, .tools, .models, .rollups(by: .user), .rollups(by: .persona), .timeline, .alerts, .errors,
    ]
    for subject in subjects {
        let limit: Int? = subject == .sessions ? 0 : nil
        #expect(try query(bulk, subject, limit: limit) == query(rowByRow, subject, limit: limit), "\(subject)")
    }
    let ids = try sessionIDs(bulk, limit: 0)
    #expect(ids.count == 40)
    let bulkReader = try SnapshotReader(path: bulk)
    let rowReader = try SnapshotReader(path: rowByRow)
    for id in ids {
        #expect(try query(bulk, .session(id)) == query(rowByRow, .session(id)))
        let frames = try bulkReader.frames(ofSession: id)
        #expect(frames?.frames.isEmpty == false, "\(id) has its frames")
        #expect(frames?.frames == (try rowReader.frames(ofSession: id))?.frames)
    }
    // Every index is back, and the files check out.
    for directory in [bulk, rowByRow] {
        let database = try Database(path: FileOperations.join(directory, "sessions.db"), mode: .readOnly)
        #expect(try database.scalar("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'") == 1)
    }
    #expect(try indexNames(bulk) == indexNames(rowByRow))
    #expect(try indexNames(bulk).isSuperset(of: Schema.sessionIndexNames + ["session_frames_by_id"]))
}

private func indexNames(_ directory: String) throws -> Set<String> {
    let database = try Database(path: FileOperations.join(directory, "sessions.db"), mode: .readOnly)
    let statement = try database.prepare("SELECT name FROM sqlite_master WHERE type = 'index'")
    var names: Set<String> = []
    while try statement.step() { names.insert(statement.string(0)) }
    return names
}
