import Foundation
import Testing
@testable import TallySpool

#if canImport(Glibc)
import Glibc
#endif

/// Writes one sealed segment of `frames` frames (about 20 lines each) and returns its path,
/// the frame offsets (plus the file end) and the lines of each frame.
private func makeSegment(in dir: TempDir, frames: Int = 10) throws -> (String, [Int64], [[String]]) {
    let writer = try SpoolWriter(directory: dir.path, producer: "p", configuration: .init(maxFrameBytes: 1 << 20))
    var perFrame: [[String]] = []
    for f in 0..<frames {
        let lines = (0..<20).map { #"{"frame":\#(f),"line":\#($0),"pad":"\#(String(repeating: "ab", count: $0))"}"# }
        perFrame.append(lines)
        try writer.append(lines: lines.map { Array($0.utf8) })   // one batch = one frame here
    }
    try writer.close()
    let path = try Spool(directory: dir.path).segments()[0].path
    var offsets: [Int64] = []
    _ = try SegmentReader(path: path).read { if case .frame(let f) = $0 { offsets.append(f.offset) } }
    #expect(offsets.count == frames)
    offsets.append(Int64(fileSize(path)))
    return (path, offsets, perFrame)
}

private struct ReadResult {
    var lines: [String] = []
    var frameOffsets: [Int64] = []
    var damage: [SegmentReader.Damage] = []
    var end: SegmentReader.End? = nil
}

private func readAll(_ path: String, from offset: Int64 = 0) throws -> ReadResult {
    var r = ReadResult()
    r.end = try SegmentReader(path: path).read(from: offset) { event in
        switch event {
        case .frame(let f):
            r.frameOffsets.append(f.offset)
            try f.forEachLine { r.lines.append(String(decoding: $0.bytes, as: UTF8.self)) }
        case .damaged(let d):
            r.damage.append(d)
        }
    }
    return r
}

@Suite struct DamageTests {
    @Test func truncatedAtEveryOffsetOfLastFrameYieldsExactlyTheCompleteFrames() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let (path, offsets, perFrame) = try makeSegment(in: dir, frames: 5)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let last = offsets[offsets.count - 2]
        let complete = Array(perFrame.dropLast().joined())
        for cut in Int(last)...(data.count - 1) {
            for name in ["torn.zst", "p.w.00000001.zst.open"] {   // sealed-looking and abandoned
                let torn = dir.file(name)
                try data.prefix(cut).write(to: URL(fileURLWithPath: torn))
                let r = try readAll(torn)
                #expect(r.lines == complete, "cut at \(cut)")
                #expect(r.damage.isEmpty)
                #expect(r.end?.state == (name.hasSuffix(".open") ? .abandoned : .sealed))
                if cut == Int(last) {
                    #expect(r.end?.tornTail == nil)
                } else {
                    #expect(r.end?.tornTail == SegmentReader.TornTail(offset: last, length: Int64(cut) - last), "cut at \(cut)")
                }
                let report = try SegmentVerifier.verify(path: torn)
                #expect(report.isDamaged == (cut != Int(last)))
                try FileManager.default.removeItem(atPath: torn)
            }
        }
    }

    @Test func incompleteTailOfLockedSegmentIsWaitedForNotReported() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let (path, offsets, perFrame) = try makeSegment(in: dir, frames: 4)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let last = offsets[3]
        let active = dir.file("q.w.00000001.zst.open")
        try data.prefix(Int(last) + 7).write(to: URL(fileURLWithPath: active))
        // Play the writer: hold the lock on another open file description.
        let fd = open(active, O_WRONLY | O_APPEND)
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        let r = try readAll(active)
        #expect(r.lines == Array(perFrame.prefix(3).joined()))
        #expect(r.end == SegmentReader.End(state: .beingWritten, offset: last, tornTail: nil))
        #expect(try SegmentVerifier.verify(path: active).isDamaged == false)
        // The writer finishes the frame and seals the segment.
        data.suffix(from: Int(last) + 7).withUnsafeBytes { _ = write(fd, $0.baseAddress, $0.count) }
        let sealed = dir.file("q.w.00000001.zst")
        rename(active, sealed)
        close(fd)
        let reader = try SegmentReader(path: active.replacingOccurrences(of: ".open", with: ""))
        var rest: [String] = []
        let end = try reader.read(from: last) { if case .frame(let f) = $0 { try f.forEachLine { rest.append(String(decoding: $0.bytes, as: UTF8.self)) } } }
        #expect(rest == perFrame[3])
        #expect(end.state == .sealed && end.tornTail == nil)
    }

    @Test func activeSegmentSealedWhileOpenIsSeenAsSealed() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let writer = try SpoolWriter(directory: dir.path, producer: "p")
        try writer.append(bytes("one\n"))
        let segment = try Spool(directory: dir.path).segments()[0]
        let reader = try SegmentReader(path: segment.path)   // opened by its .open name
        var end = try reader.read { _ in }
        #expect(end.state == .beingWritten)
        try writer.append(bytes("two\n"))
        try writer.close()
        var lines: [String] = []
        end = try reader.read(from: end.offset) { if case .frame(let f) = $0 { try f.forEachLine { lines.append(String(decoding: $0.bytes, as: UTF8.self)) } } }
        #expect(lines == ["two"])
        #expect(end.state == .sealed)
    }

    @Test func flippedByteReportsThatFrameAndReadsTheFramesAfterIt() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let (path, offsets, perFrame) = try makeSegment(in: dir, frames: 8)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let k = 3
        let (start, end) = (Int(offsets[k]), Int(offsets[k + 1]))
        let others = perFrame.enumerated().filter { $0.offset != k }.flatMap(\.element)
        let all = Set(perFrame.joined())
        for position in start..<end {
            var damaged = data
            damaged[position] ^= 0x5A
            let file = dir.file("flip.zst")
            try damaged.write(to: URL(fileURLWithPath: file))
            let r = try readAll(file)
            // Every line of every other frame, in order; nothing that was not written.
            #expect(r.lines.filter { !perFrame[k].contains($0) } == others, "flip at \(position)")
            #expect(r.lines.allSatisfy { all.contains($0) })
            // The damage is reported inside frame k.
            #expect(!r.damage.isEmpty || r.end?.tornTail != nil, "flip at \(position)")
            #expect(r.damage.allSatisfy { $0.offset >= start && $0.offset < end }, "flip at \(position)")
            if position == (start + end) / 2 {   // in the compressed payload: exactly frame k
                #expect(r.damage.count == 1)
                #expect(r.damage.first?.offset == offsets[k])
                #expect(r.damage.first?.length == offsets[k + 1] - offsets[k])
                #expect(r.frameOffsets == offsets.dropLast().filter { $0 != offsets[k] })
                let report = try SegmentVerifier.verify(path: file)
                #expect(report.isDamaged && report.frames == 7 && report.damaged.first?.offset == offsets[k])
                #expect("\(report)".contains("damaged frame at byte \(offsets[k])"))
            }
        }
    }

    @Test func garbageBetweenFramesIsSkippedAndReported() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let (path, offsets, perFrame) = try makeSegment(in: dir, frames: 3)
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data.insert(contentsOf: [0x28, 0xB5, 0x2F, 0xFD, 1, 2, 3, 4, 5], at: Int(offsets[1]))
        let file = dir.file("garbage.zst")
        try data.write(to: URL(fileURLWithPath: file))
        let r = try readAll(file)
        #expect(r.lines == Array(perFrame.joined()))
        #expect(r.damage == [SegmentReader.Damage(offset: offsets[1], length: 9, reason: r.damage.first?.reason ?? "")])
    }

    @Test func abandonedSegmentIsReadAndRestartedWriterStartsANewOne() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let (path, offsets, perFrame) = try makeSegment(in: dir, frames: 3)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try FileManager.default.removeItem(atPath: path)
        // What a writer killed mid-frame leaves: an unlocked .open file with a torn tail.
        let id = SegmentID(producer: "p", writer: "20250101T000000_000000Z-1-00000000", sequence: 1)
        try data.prefix(Int(offsets[2]) + 10).write(to: URL(fileURLWithPath: dir.file(id.activeFileName)))
        let writer = try SpoolWriter(directory: dir.path, producer: "p")
        try writer.append(bytes("after restart\n"))
        try writer.close()
        let segments = try readSpool(dir.path)
        #expect(segments.count == 2)
        #expect(segments[0].0.id == id && segments[0].2.state == .abandoned)
        #expect(segments[0].1 == Array(perFrame.prefix(2).joined()))
        #expect(segments[0].2.tornTail == SegmentReader.TornTail(offset: offsets[2], length: 10))
        #expect(segments[1].0.id.writer != id.writer && segments[1].1 == ["after restart"])
        #expect(fileSize(dir.file(id.activeFileName)) == Int(offsets[2]) + 10)   // untouched
    }
}
