import Foundation
import Testing
@testable import TallySpool

import Glibc
import Synchronization

/// What a reader does with entries a producer (or anyone who can write the spool) planted under
/// a segment's name: a symlink is never followed, a FIFO never opened, both left out of the
/// listing and reported as what they are.
@Suite struct SpoolFileTypeTests {
    static let writer = "20250101T000000_000000Z-1-planted"

    /// One sealed segment of `lines` one-line batches in `directory`; returns its path.
    static func sealedSegment(in directory: String, producer: String, lines: Int) throws -> String {
        let writer = try SpoolWriter(directory: directory, producer: producer, configuration: .init(fsync: .never))
        for index in 0..<lines { try writer.append(line: #"{"n":\#(index)}"#) }
        try writer.close()
        return try Spool(directory: directory).segments()[0].path
    }

    /// Reads everything new from a fresh cursor on another thread, waiting at most 10 s (a read
    /// that blocks in `open` fails the test instead of hanging it). Returns the lines read, or
    /// `nil` when the read did not finish in time.
    static func readAllWithin10Seconds(_ spool: String) -> [String]? {
        let result = Mutex<[String]?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread {
            var cursor = SpoolCursor()
            var lines: [String] = []
            try? SpoolReader(directory: spool).readNew(from: &cursor) { event in
                if case .frame(_, let frame) = event {
                    try frame.forEachLine { lines.append(String(decoding: $0.bytes, as: UTF8.self)) }
                }
            }
            result.withLock { $0 = lines }
            done.signal()
        }.start()
        guard done.wait(timeout: .now() + 10) == .success else { return nil }
        return result.withLock { $0 }
    }

    @Test func aSymlinkNamedLikeASegmentIsNeverFollowed() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let spool = dir.file("spool")
        _ = try Self.sealedSegment(in: spool, producer: "real", lines: 2)
        // A file of lines the consumer's account can read but no producer may make it read.
        let secret = try Self.sealedSegment(in: dir.file("elsewhere"), producer: "secret", lines: 3)
        let planted = try #require(SegmentID(fileName: "evil.\(Self.writer).00000001.zst"))
        try FileManager.default.createSymbolicLink(atPath: spool + "/" + planted.fileName, withDestinationPath: secret)

        let spoolView = Spool(directory: spool)
        #expect(try spoolView.segments().map(\.id.producer) == ["real"])
        #expect(try spoolView.nonRegularSegmentFiles() == [Spool.NonRegularFile(name: planted.fileName, kind: "symbolic link")])
        #expect(Self.readAllWithin10Seconds(spool) == [#"{"n":0}"#, #"{"n":1}"#])
        #expect(throws: SpoolError.self) { try spoolView.reader(for: planted) }
        do {
            _ = try spoolView.reader(for: planted)
        } catch {
            #expect(error.code == .notARegularFile)
            #expect(error.description == "cannot read \(spool)/\(planted.fileName): a symbolic link, not followed in a spool")
        }
    }

    @Test func aSymlinkInAWritersStreamIsSkippedAndItsOtherSegmentsRead() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let spool = dir.file("spool")
        try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
        // Sequence 1 is a symlink to someone else's file, sequence 2 a real segment of the stream.
        let secret = try Self.sealedSegment(in: dir.file("elsewhere"), producer: "secret", lines: 3)
        let real = try Self.sealedSegment(in: dir.file("other"), producer: "p", lines: 2)
        try FileManager.default.createSymbolicLink(atPath: spool + "/p.\(Self.writer).00000001.zst", withDestinationPath: secret)
        try FileManager.default.moveItem(atPath: real, toPath: spool + "/p.\(Self.writer).00000002.zst")
        #expect(Self.readAllWithin10Seconds(spool) == [#"{"n":0}"#, #"{"n":1}"#])
    }

    @Test func aFIFONamedLikeASegmentIsNeverOpenedAndDoesNotBlock() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let spool = dir.file("spool")
        try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
        // The stream's sequence 1 is a FIFO (opening it for reading would wait for a writer),
        // its sequence 2 a real segment; and a FIFO at the sealed name of an active segment.
        let real = try Self.sealedSegment(in: dir.file("other"), producer: "p", lines: 2)
        #expect(mkfifo(spool + "/p.\(Self.writer).00000001.zst", 0o644) == 0)
        try FileManager.default.moveItem(atPath: real, toPath: spool + "/p.\(Self.writer).00000002.zst")
        let active = try Self.sealedSegment(in: dir.file("third"), producer: "q", lines: 1)
        try FileManager.default.moveItem(atPath: active, toPath: spool + "/q.\(Self.writer).00000001.zst.open")
        #expect(mkfifo(spool + "/q.\(Self.writer).00000001.zst", 0o644) == 0)

        #expect(Self.readAllWithin10Seconds(spool) == [#"{"n":0}"#, #"{"n":1}"#, #"{"n":0}"#])
        let kinds = try Spool(directory: spool).nonRegularSegmentFiles().map(\.kind)
        #expect(kinds == ["FIFO", "FIFO"])
        // Opened explicitly, a FIFO is refused at once, not waited on.
        #expect(throws: SpoolError.self) { try SegmentReader(path: spool + "/p.\(Self.writer).00000001.zst") }
    }

    @Test func aSegmentFileIsCreatedNewAndNeverThroughAPlantedSymlink() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let spool = dir.file("spool")
        let writer = try SpoolWriter(directory: spool, producer: "api", configuration: .init(fsync: .never))
        let victim = dir.file("victim")
        try "keep me\n".write(toFile: victim, atomically: true, encoding: .utf8)
        // The name the first segment is created under, planted before the first append.
        let temporary = SegmentID(producer: "api", writer: writer.writerID, sequence: 1).temporaryFileName
        try FileManager.default.createSymbolicLink(atPath: spool + "/" + temporary, withDestinationPath: victim)
        #expect(throws: SpoolError.self) { try writer.append(line: #"{"a":1}"#) }
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep me\n")
        try? writer.close()
    }
}
