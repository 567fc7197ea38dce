import Foundation
import Testing
@testable import TallySpool

/// ``Spool/forgetGoneStreams(in:listing:)``: the cursor keeps no writer whose segments are gone.
@Suite struct GoneStreamTests {
    static func segment(_ producer: String, _ sequence: UInt64 = 1) -> SegmentID {
        SegmentID(producer: producer, writer: "20250101T000000_000000Z-1-abcdef01", sequence: sequence)
    }

    @Test func streamsWithNoSegmentLeftAreForgottenFinishedOrNot() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        func touch(_ name: String) { _ = FileManager.default.createFile(atPath: dir.file(name), contents: Data()) }
        var cursor = SpoolCursor()
        func put(_ position: SpoolPosition) { cursor.positions[SpoolCursor.streamKey(of: position.segment)] = position }
        // Listed: kept whatever its position says.
        put(SpoolPosition(segment: Self.segment("listed"), offset: 10))
        touch(Self.segment("listed", 2).fileName)
        // Finished and deleted: forgotten.
        put(.finished(Self.segment("finished", 3)))
        // Deleted before it was read to its end (an operator, another pipeline): forgotten too.
        put(SpoolPosition(segment: Self.segment("cut", 2), offset: 4096))
        // Not in the listing given (a listing that missed a segment being sealed), but there under
        // one of its names: kept.
        put(SpoolPosition(segment: Self.segment("active"), offset: 50))
        touch(Self.segment("active").activeFileName)
        put(.finished(Self.segment("sealed")))
        touch(Self.segment("sealed").fileName)
        // A symlink at a gone segment's name is not the segment.
        put(.finished(Self.segment("link")))
        try FileManager.default.createSymbolicLink(atPath: dir.file(Self.segment("link").fileName), withDestinationPath: "/etc/hostname")

        let spool = Spool(directory: dir.path)
        let listing = try spool.segments().filter { $0.id.producer == "listed" }
        try spool.forgetGoneStreams(in: &cursor, listing: listing)
        #expect(Set(cursor.positions.values.map(\.segment.producer)) == ["listed", "active", "sealed"])
    }
}
