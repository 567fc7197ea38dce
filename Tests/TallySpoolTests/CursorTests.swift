import Foundation
import Testing
@testable import TallySpool

/// The cursor's format (stream keys, a finished segment) and the questions a consumer asks it.
@Suite struct CursorTests {
    static let writer = "20251023T143000_123456Z-4242-9f3a1c2b"
    static func segment(_ sequence: UInt64, producer: String = "api") -> SegmentID {
        SegmentID(producer: producer, writer: writer, sequence: sequence)
    }

    /// Snapshot manifests hold the cursor as this JSON: its bytes must never change.
    @Test func encodingIsTheManifestFormat() throws {
        var cursor = SpoolCursor()
        cursor.positions[SpoolCursor.streamKey(of: Self.segment(3))] = .finished(Self.segment(3))
        cursor.positions[SpoolCursor.streamKey(of: Self.segment(1, producer: "db"))] =
            SpoolPosition(segment: Self.segment(1, producer: "db"), offset: 4096)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(cursor), as: UTF8.self)
        #expect(json == #"{"positions":{"api.20251023T143000_123456Z-4242-9f3a1c2b":{"offset":-1,"segment":"api.20251023T143000_123456Z-4242-9f3a1c2b.00000003.zst"},"db.20251023T143000_123456Z-4242-9f3a1c2b":{"offset":4096,"segment":"db.20251023T143000_123456Z-4242-9f3a1c2b.00000001.zst"}}}"#)
        let decoded = try JSONDecoder().decode(SpoolCursor.self, from: Data(json.utf8))
        #expect(decoded == cursor)
        #expect(decoded.position(inStreamOf: Self.segment(7))?.isFinished == true)
    }

    @Test func streamKeyIsProducerDotWriter() {
        #expect(SpoolCursor.streamKey(of: Self.segment(9)) == "api." + Self.writer)
        #expect(SpoolCursor.streamKey(of: Self.segment(1)) == SpoolCursor.streamKey(of: Self.segment(2)))
        #expect(SpoolCursor.streamKey(of: Self.segment(1)) != SpoolCursor.streamKey(of: Self.segment(1, producer: "db")))
    }

    @Test func resumeOffsetAndConsumedFollowTheStreamOrder() {
        var cursor = SpoolCursor()
        // Nothing read of the stream: every segment from its start.
        #expect(cursor.resumeOffset(in: Self.segment(1)) == 0)
        #expect(!cursor.hasConsumed(Self.segment(1)))

        cursor.positions[SpoolCursor.streamKey(of: Self.segment(2))] = SpoolPosition(segment: Self.segment(2), offset: 100)
        #expect(cursor.resumeOffset(in: Self.segment(1)) == nil)
        #expect(cursor.hasConsumed(Self.segment(1)))
        #expect(cursor.resumeOffset(in: Self.segment(2)) == 100)
        #expect(!cursor.hasConsumed(Self.segment(2)))
        #expect(cursor.resumeOffset(in: Self.segment(3)) == 0)
        #expect(cursor.resumeOffset(in: Self.segment(2, producer: "db")) == 0)   // another stream

        cursor.positions[SpoolCursor.streamKey(of: Self.segment(2))] = .finished(Self.segment(2))
        #expect(cursor.resumeOffset(in: Self.segment(2)) == nil)
        #expect(cursor.hasConsumed(Self.segment(2)))
        #expect(!cursor.hasConsumed(Self.segment(3)))
    }

    @Test func finishedStreamsAreForgottenOnlyWhenTheirSegmentsAreGone() {
        var cursor = SpoolCursor()
        let done = Self.segment(2), gone = Self.segment(5, producer: "old"), reading = Self.segment(1, producer: "db")
        cursor.positions[SpoolCursor.streamKey(of: done)] = .finished(done)
        cursor.positions[SpoolCursor.streamKey(of: gone)] = .finished(gone)
        cursor.positions[SpoolCursor.streamKey(of: reading)] = SpoolPosition(segment: reading, offset: 10)
        cursor.forgetFinishedStreams(absentFrom: [Self.segment(1), done])
        #expect(cursor.position(inStreamOf: done) == .finished(done))   // still listed
        #expect(cursor.position(inStreamOf: gone) == nil)
        #expect(cursor.position(inStreamOf: reading)?.offset == 10)     // not finished: kept though absent
    }

    @Test func readerMarksASealedSegmentFinished() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let writer = try SpoolWriter(directory: dir.path, producer: "p", configuration: .init(maxSegmentAge: .zero))
        try writer.append(bytes("a\n"))
        try writer.append(bytes("b\n"))
        try writer.close()
        let segments = try Spool(directory: dir.path).segments().map(\.id)
        #expect(segments.count == 2)
        var cursor = SpoolCursor()
        try SpoolReader(directory: dir.path).readNew(from: &cursor) { _ in }
        #expect(cursor.positions.count == 1)
        #expect(cursor.position(inStreamOf: segments[0]) == .finished(segments[1]))
        #expect(cursor.position(inStreamOf: segments[0])?.offset == -1)
        #expect(segments.allSatisfy(cursor.hasConsumed))
    }

    @Test func segmentFileNamesBelongToSegmentID() throws {
        let id = Self.segment(3)
        #expect(SegmentID.isActiveFileName(id.activeFileName))
        #expect(!SegmentID.isActiveFileName(id.fileName))
        #expect(SegmentID.sealedPath(ofActive: "/spool/" + id.activeFileName) == "/spool/" + id.fileName)
        #expect(SegmentID.sealedPath(ofActive: "/spool/" + id.fileName) == nil)
        #expect(SegmentID.activePath(ofSealed: "/spool/" + id.fileName) == "/spool/" + id.activeFileName)
        #expect(SegmentID.activePath(ofSealed: "/spool/" + id.activeFileName) == nil)
        #expect(id.temporaryFileName == "." + id.fileName + ".new")
        #expect(SegmentID(fileName: id.temporaryFileName) == nil)

        let dir = TempDir()
        defer { dir.cleanup() }
        for name in [id.fileName, "notes.txt", ".hidden", id.temporaryFileName] {
            #expect(FileManager.default.createFile(atPath: dir.file(name), contents: Data()))
        }
        #expect(try Spool(directory: dir.path).nonSegmentFileNames() == ["notes.txt"])
        #expect(try Spool(directory: dir.path).segments().map(\.id) == [id])
    }
}
