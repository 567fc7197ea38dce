import Glibc
import Testing
import TallyCore
import TallyPosix
@testable import TallySnapshot

/// Opening a snapshot directory never deletes what it cannot read (issue 13, items 3, 5, 12).
@Suite struct RecoveryTests {
    func manifestPath(_ directory: String, _ generation: Int64) -> String {
        FileOperations.join(directory, SnapshotDirectory.manifestName(generation: generation))
    }

    /// Writes generations 1 and 2 of the fixture.
    func twoGenerations(_ directory: String) throws {
        let writer = try Fixture.write(to: directory)
        try writer.write(content: Fixture.content, metadata: Fixture.metadata())
    }

    @Test func aManifestOfANewerVersionIsRefusedAndNothingIsDeleted() throws {
        let directory = temporaryDirectory()
        defer { removeTree(directory) }
        try twoGenerations(directory)
        let newest = manifestPath(directory, 2)
        let text = String(decoding: try FileOperations.readFile(newest, maxBytes: 1 << 30), as: UTF8.self)
        try writeText(text.replacingOccurrences(of: #""version": 1,"#, with: #""version": 7,"#), to: newest)
        let before = try Posix.listDirectory(directory).sorted()
        do {
            _ = try SnapshotWriter.open(directory: directory, keep: 3)
            Issue.record("a manifest of version 7 was accepted")
        } catch let error as SnapshotError {
            #expect(error.code == .newerFormat)
            #expect(error.message.contains(newest) && error.message.contains("version 7") && error.message.contains("version 1"))
            #expect(!error.message.contains("\n"))
        }
        #expect(try Posix.listDirectory(directory).sorted() == before)
        #expect(FileOperations.exists(FileOperations.join(directory, "sessions.db")))
    }

    @Test func aDamagedNewestManifestFallsBackToTheOlderOneAndIsMovedAside() throws {
        let directory = temporaryDirectory()
        defer { removeTree(directory) }
        try twoGenerations(directory)
        let newest = manifestPath(directory, 2)
        try writeText("{\"format\":\"tally-snapshot\",\"version\":1,\"gen", to: newest)
        let (writer, restored) = try SnapshotWriter.open(directory: directory, keep: 3)
        #expect(restored?.generation == 1)
        #expect(writer.recoveryNotes.count == 1)
        #expect(writer.recoveryNotes.first?.contains(newest) == true)
        #expect(!FileOperations.exists(newest))
        let aside = newest + ".damaged"
        #expect(String(decoding: try FileOperations.readFile(aside, maxBytes: 1 << 30), as: UTF8.self).hasPrefix("{\"format\""))
        #expect(FileOperations.exists(FileOperations.join(directory, "state-000000000002.bin.damaged")))
    }

    @Test func whenEveryManifestIsDamagedNothingIsDeleted() throws {
        let directory = temporaryDirectory()
        defer { removeTree(directory) }
        try twoGenerations(directory)
        for generation: Int64 in [1, 2] { try writeText("not json", to: manifestPath(directory, generation)) }
        let before = try Posix.listDirectory(directory).sorted()
        #expect(throws: SnapshotError.self) { _ = try SnapshotWriter.open(directory: directory, keep: 3) }
        #expect(try Posix.listDirectory(directory).sorted() == before)
        #expect(try FileOperations.readFile(FileOperations.join(directory, "sessions.db"), maxBytes: 1 << 30).count > 0)
    }

    @Test func aLostSessionStoreBesideManifestsSaysWhatToDo() throws {
        let directory = temporaryDirectory()
        defer { removeTree(directory) }
        try twoGenerations(directory)
        for suffix in ["", "-wal", "-shm"] { try? Posix.remove(FileOperations.join(directory, "sessions.db" + suffix)) }
        do {
            _ = try SnapshotWriter.open(directory: directory, keep: 3)
            Issue.record("opened without sessions.db")
        } catch let error as SnapshotError {
            #expect(error.message.contains("sessions.db is missing"))
            #expect(error.message.contains("tally replay") && error.message.contains("backup"))
            #expect(!error.message.contains("\n"))
        }
        #expect(FileOperations.exists(manifestPath(directory, 2)))
        #expect(!FileOperations.exists(FileOperations.join(directory, "sessions.db")), "no empty store is made in its place")
    }

    @Test func aDamagedSessionStoreBesideManifestsSaysWhatToDo() throws {
        let directory = temporaryDirectory()
        defer { removeTree(directory) }
        try twoGenerations(directory)
        for suffix in ["-wal", "-shm"] { try? Posix.remove(FileOperations.join(directory, "sessions.db" + suffix)) }
        try writeText(String(repeating: "this is not an SQLite database. ", count: 512), to: FileOperations.join(directory, "sessions.db"))
        do {
            _ = try SnapshotWriter.open(directory: directory, keep: 3)
            Issue.record("opened a damaged sessions.db")
        } catch let error as SnapshotError {
            #expect(error.message.contains("sessions.db is damaged"))
            #expect(error.message.contains("tally replay"))
        }
        #expect(FileOperations.exists(manifestPath(directory, 2)))
    }

    @Test func aSymlinkedSessionStoreIsNotFollowed() throws {
        let directory = temporaryDirectory()
        defer { removeTree(directory) }
        try twoGenerations(directory)
        let store = FileOperations.join(directory, "sessions.db")
        let elsewhere = temporaryDirectory()
        defer { removeTree(elsewhere) }
        let target = FileOperations.join(elsewhere, "other.db")
        try Posix.rename(store, target)
        #expect(symlink(target, store) == 0)
        #expect(throws: (any Error).self) { _ = try SnapshotWriter.open(directory: directory, keep: 3) }
    }
}
