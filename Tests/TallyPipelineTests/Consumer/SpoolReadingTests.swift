import Foundation
import Testing
import TallySpool

/// The TallySpool additions the consumer relies on: a frame budget per writer, per-writer
/// failures, and counting frames without decompressing.
@Suite struct SpoolReadingTests {
    /// Three one-line batches: three frames.
    static func threeFrames(spool: String, producer: String) throws -> SpoolWriter {
        var configuration = SpoolConfiguration()
        configuration.fsync = .never
        let writer = try SpoolWriter(directory: spool, producer: producer, configuration: configuration)
        for index in 1...3 { try writer.append(Array("{\"n\":\(index)}\n".utf8)) }
        return writer
    }

    @Test func frameBudgetGivesEveryWriterATurn() throws {
        let scratch = try ConsumerScratch()
        defer { scratch.cleanup() }
        try Self.threeFrames(spool: scratch.spool, producer: "a").close()
        try Self.threeFrames(spool: scratch.spool, producer: "b").close()
        let reader = SpoolReader(directory: scratch.spool)
        var cursor = SpoolCursor()
        var perCall: [[String]] = []
        for _ in 0..<4 {
            var producers: [String] = []
            try reader.readNew(from: &cursor, maxFramesPerStream: 1, streamFailed: nil) { event in
                if case .frame(let id, _) = event { producers.append(id.producer) }
            }
            perCall.append(producers)
        }
        #expect(perCall == [["a", "b"], ["a", "b"], ["a", "b"], []])
        #expect(cursor.positions.count == 2 && cursor.positions.values.allSatisfy(\.isFinished))
    }

    @Test(.enabled(if: UnreadableFile.isPossible, "needs a file this process cannot read: as root, a bind mount"))
    func unreadableSegmentIsReportedAndOtherWritersGoOn() throws {
        let scratch = try ConsumerScratch()
        defer { scratch.cleanup() }
        try Self.threeFrames(spool: scratch.spool, producer: "b").close()
        // A regular file that cannot be read (a symlink would not be followed at all).
        let brokenID = try #require(SegmentID(fileName: "a.20250101T000000_000000Z-1-broken.00000001.zst"))
        let broken = scratch.spool + "/" + brokenID.fileName
        let restore = try #require(UnreadableFile.make(at: broken))
        defer { restore() }
        let reader = SpoolReader(directory: scratch.spool)
        var cursor = SpoolCursor()
        var failures: [String] = []
        var lines = 0
        try reader.readNew(from: &cursor, maxFramesPerStream: .max, streamFailed: { failures.append($0.path) }) { event in
            if case .frame(_, let frame) = event { lines += try frame.lineCount() }
        }
        #expect(failures == [broken])
        #expect(lines == 3)
        #expect(cursor.position(inStreamOf: brokenID) == nil)

        var fresh = SpoolCursor()
        #expect(throws: SpoolError.self) { try reader.readNew(from: &fresh) { _ in } }
    }

    @Test func countFramesWalksHeadersAndSkipsAnIncompleteLastFrame() throws {
        let scratch = try ConsumerScratch()
        defer { scratch.cleanup() }
        try Self.threeFrames(spool: scratch.spool, producer: "a").close()
        let segment = try Spool(directory: scratch.spool).segments()[0]
        var ends: [Int64] = []
        _ = try SegmentReader(path: segment.path).read { event in
            if case .frame(let frame) = event { ends.append(frame.endOffset) }
        }
        #expect(ends.count == 3 && ends[2] == segment.size)
        let reader = try SegmentReader(path: segment.path)
        #expect(try reader.countFrames(from: 0) == (3, segment.size))
        #expect(try reader.countFrames(from: ends[0]) == (2, segment.size - ends[0]))
        #expect(try reader.countFrames(from: segment.size) == (0, 0))

        let cut = scratch.path + "/cut.zst"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: segment.path))
        try bytes.prefix(Int(segment.size) - 3).write(to: URL(fileURLWithPath: cut))
        #expect(try SegmentReader(path: cut).countFrames(from: 0) == (2, ends[1]))
    }
}
