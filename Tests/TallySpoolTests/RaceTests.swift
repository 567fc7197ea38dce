import Foundation
import Testing
@testable import TallySpool

#if canImport(Glibc)
import Glibc
#endif

/// What a reader must do when a writer moves on between two of its reads.
@Suite struct RaceTests {
    /// Three frames of one sealed segment: its bytes, the frame starts and the lines.
    func threeFrames(in dir: TempDir) throws -> (bytes: [UInt8], starts: [Int], lines: [String]) {
        let writer = try SpoolWriter(directory: dir.path, producer: "src", configuration: .init(maxFrameBytes: 1 << 20))
        var lines: [String] = []
        for frame in 0..<3 {
            let batch = (0..<50).map { #"{"frame":\#(frame),"line":\#($0),"text":"\#(String(repeating: "xy", count: $0))"}"# }
            lines += batch
            try writer.append(lines: batch.map { Array($0.utf8) })   // one batch: one frame
        }
        try writer.close()
        let path = try Spool(directory: dir.path).segments()[0].path
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let starts = try SegmentReader(path: path).frameStarts(from: 0).starts.map { Int($0) }
        try FileManager.default.removeItem(atPath: path)
        return (bytes, starts, lines)
    }

    @Test func aFrameCompletedBetweenTwoReadsIsReadNotReportedAsDamage() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let (bytes, starts, lines) = try threeFrames(in: dir)
        #expect(starts.count == 3)
        let id = SegmentID(producer: "w", writer: "20251023T000000_000000Z-1-00000000", sequence: 1)
        let active = dir.file(id.activeFileName)
        // The writer holds its lock and has written frame 1 and half of frame 2.
        let cut = starts[1] + (starts[2] - starts[1]) / 2
        #expect(FileManager.default.createFile(atPath: active, contents: Data(bytes[0..<cut])))
        let writerFD = open(active, O_RDWR)
        defer { close(writerFD) }
        #expect(flock(writerFD, LOCK_EX) == 0)

        let reader = try SegmentReader(path: active)
        var seen: [String] = []
        var damage: [SegmentReader.Damage] = []
        func collect(_ event: SegmentReader.Event) throws {
            switch event {
            case .frame(let frame): try frame.forEachLine { seen.append(String(decoding: $0.bytes, as: UTF8.self)) }
            case .damaged(let d): damage.append(d)
            }
        }
        let first = try reader.read(from: 0, collect)
        #expect(first.state == .beingWritten)
        #expect(first.offset == Int64(starts[1]))

        // The writer finishes frame 2, writes frame 3, seals and lets go.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: active))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(bytes[cut...]))
        try handle.close()
        #expect(rename(active, dir.file(id.fileName)) == 0)
        #expect(flock(writerFD, LOCK_UN) == 0)

        let second = try reader.read(from: first.offset, collect)
        #expect(damage.isEmpty)
        #expect(second.tornTail == nil)
        #expect(seen == lines)
    }

    @Test func aSegmentMissingFromTheListingIsStillReadBeforeTheNext() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        var configuration = SpoolConfiguration()
        configuration.maxSegmentBytes = 1   // every batch seals its segment
        let writer = try SpoolWriter(directory: dir.path, producer: "api", configuration: configuration)
        for index in 0..<3 { try writer.append(Array("{\"n\":\(index)}\n".utf8)) }
        try writer.close()
        let segments = try Spool(directory: dir.path).segments()
        #expect(segments.map(\.id.sequence) == [1, 2, 3])

        // The listing misses segment 2, as when its writer renamed it while the directory was read.
        let reader = SpoolReader(directory: dir.path)
        var cursor = SpoolCursor()
        var lines: [String] = []
        try reader.readStream(
            segments.filter { $0.id.sequence != 2 }[...], key: segments[0].id.producer + "." + segments[0].id.writer,
            maxFrames: .max, cursor: &cursor
        ) { event in
            if case .frame(_, let frame) = event { try frame.forEachLine { lines.append(String(decoding: $0.bytes, as: UTF8.self)) } }
        }
        #expect(lines == [#"{"n":0}"#, #"{"n":1}"#, #"{"n":2}"#])
    }
}
