import Foundation
import Testing
@testable import TallySpool

/// `SegmentReader.frameStarts(from:)`: frame starts found from headers alone.
@Suite struct FrameStartsTests {
    /// A sealed segment of `frames` frames (one batch each) and its frame offsets as `read` sees them.
    private func segment(in dir: TempDir, frames: Int) throws -> (path: String, offsets: [Int64]) {
        let writer = try SpoolWriter(directory: dir.path, producer: "p", configuration: .init(maxFrameBytes: 1 << 20))
        for f in 0..<frames {
            try writer.append(lines: (0..<30).map { Array(#"{"frame":\#(f),"line":\#($0),"pad":"\#(String(repeating: "xy", count: $0 * 3))"}"#.utf8) })
        }
        try writer.close()
        let path = try Spool(directory: dir.path).segments()[0].path
        var offsets: [Int64] = []
        _ = try SegmentReader(path: path).read { if case .frame(let f) = $0 { offsets.append(f.offset) } }
        #expect(offsets.count == frames)
        return (path, offsets)
    }

    @Test func listsTheStartOfEveryFrameAndEndsAtTheFileEnd() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let (path, offsets) = try segment(in: dir, frames: 6)
        let reader = try SegmentReader(path: path)
        let walk = try reader.frameStarts(from: 0)
        #expect(walk.starts == offsets)
        #expect(walk.end == Int64(fileSize(path)))
        let fromThird = try reader.frameStarts(from: offsets[2])
        #expect(fromThird.starts == Array(offsets[2...]))
        let counted = try reader.countFrames(from: 0)
        #expect(counted.frames == 6 && counted.bytes == Int64(fileSize(path)))
    }

    @Test func stopsAtBytesThatAreNotAFrameAndBeforeAnIncompleteLastFrame() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let (path, offsets) = try segment(in: dir, frames: 5)
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        // A checksum failure inside frame 1 keeps its headers: still listed.
        data[Int(offsets[2]) - 1] ^= 0xFF
        // Garbage at frame 3's start: the walk stops there.
        data[Int(offsets[3])] = 0
        let damaged = dir.file("damaged.zst")
        try data.write(to: URL(fileURLWithPath: damaged))
        let walk = try SegmentReader(path: damaged).frameStarts(from: 0)
        #expect(walk.starts == Array(offsets[0..<3]))
        #expect(walk.end == offsets[3])

        let torn = dir.file("torn.zst")
        try data.prefix(Int(offsets[2]) + 7).write(to: URL(fileURLWithPath: torn))
        let tornWalk = try SegmentReader(path: torn).frameStarts(from: 0)
        #expect(tornWalk.starts == Array(offsets[0..<2]))
        #expect(tornWalk.end == offsets[2])
    }
}
