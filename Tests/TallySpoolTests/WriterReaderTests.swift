import Foundation
import Testing
@testable import TallySpool

@Suite struct WriterReaderTests {
    @Test func appendedLinesReadBackInOrderAndZstdcatPrintsThem() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let writer = try SpoolWriter(directory: dir.path, producer: "api")
        var expected: [String] = []
        for batch in 0..<10 {
            let lines = (0..<100).map { #"{"batch":\#(batch),"i":\#($0),"text":"héllo"}"# }
            expected += lines
            try writer.append(lines: lines.map { Array($0.utf8) })
        }
        try writer.close()
        let segments = try readSpool(dir.path)
        #expect(segments.count == 1)
        #expect(segments[0].0.isSealed)
        #expect(segments[0].2.state == .sealed)
        #expect(segments.flatMap(\.1) == expected)
        let path = segments[0].0.path
        #expect(try zstdTestPasses(path))
        #expect(String(decoding: try zstdcat(path), as: UTF8.self) == expected.joined(separator: "\n") + "\n")
    }

    @Test func framesHoldWholeLinesAndCarryChecksums() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let writer = try SpoolWriter(directory: dir.path, producer: "p", configuration: .init(maxFrameBytes: 1000))
        let lines = (0..<500).map { "line-\($0)-" + String(repeating: "x", count: $0 % 37) }
        try writer.append(Array(lines.joined(separator: "\n").utf8))   // no final newline
        try writer.close()
        let segment = try Spool(directory: dir.path).segments()[0]
        let reader = try SegmentReader(path: segment.path)
        var frames = 0
        var read: [String] = []
        _ = try reader.read { event in
            guard case .frame(let f) = event else { Issue.record("damage"); return }
            frames += 1
            #expect(f.bytes!.count <= 1000)
            #expect(f.bytes!.last == 0x0A)
            try f.forEachLine { read.append(String(decoding: $0.bytes, as: UTF8.self)) }
        }
        #expect(frames > 10)
        #expect(read == lines)
        // Every frame has the content-checksum flag (frame header descriptor bit 2).
        let data = try Data(contentsOf: URL(fileURLWithPath: segment.path))
        #expect(data[4] & 0x04 != 0)
    }

    @Test func threadsSharingOneWriterNeverInterleave() async throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let writer = try SpoolWriter(
            directory: dir.path, producer: "threads",
            configuration: .init(maxSegmentBytes: 32 << 10, fsync: .never, maxFrameBytes: 4096))
        await withTaskGroup(of: Void.self) { group in
            for t in 0..<4 {
                group.addTask {
                    for b in 0..<50 {
                        let lines = (0..<40).map { Array(#"{"t":\#(t),"n":\#(b * 40 + $0)}"#.utf8) }
                        try! writer.append(lines: lines)
                    }
                }
            }
        }
        try writer.close()
        var next = [Int](repeating: 0, count: 4)
        for (segment, lines, _) in try readSpool(dir.path) {
            #expect(segment.isSealed)
            for line in lines {
                let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Int]
                let t = obj["t"]!, n = obj["n"]!
                #expect(n == next[t], "thread \(t) out of order")
                next[t] = n + 1
            }
        }
        #expect(next == [2000, 2000, 2000, 2000])
    }

    @Test func emptyAppendsCreateNoSegment() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let writer = try SpoolWriter(directory: dir.path, producer: "p")
        try writer.append([])
        try writer.append(lines: [[UInt8]]())
        try writer.close()
        #expect(try Spool(directory: dir.path).segments().isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func appendAfterCloseThrowsClosed() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let writer = try SpoolWriter(directory: dir.path, producer: "p")
        try writer.close()
        #expect(throws: SpoolError.self) { try writer.append(bytes("x\n")) }
        try writer.close()   // idempotent
    }

    @Test(arguments: [SpoolConfiguration.Fsync.always, .interval(.milliseconds(50)), .never])
    func everyFsyncModeKeepsAllLines(mode: SpoolConfiguration.Fsync) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let writer = try SpoolWriter(directory: dir.path, producer: "p", configuration: .init(fsync: mode))
        for i in 0..<20 { try writer.append(bytes("{\"i\":\(i)}\n")) }
        try writer.flush()
        // Before close the segment is active and its writer holds the lock.
        let active = try Spool(directory: dir.path).segments()
        #expect(active.count == 1 && !active[0].isSealed)
        #expect(try SegmentReader(path: active[0].path).probe() == .beingWritten)
        try writer.close()
        #expect(try readSpool(dir.path).flatMap(\.1) == (0..<20).map { "{\"i\":\($0)}" })
    }

    @Test func segmentNamesCarryProducerWriterAndSequence() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let writer = try SpoolWriter(directory: dir.path, producer: "svc-1", configuration: .init(maxSegmentAge: .zero))
        try writer.append(bytes("a\n"))
        try writer.append(bytes("b\n"))
        try writer.close()
        let segments = try Spool(directory: dir.path).segments()
        #expect(segments.map(\.id.sequence) == [1, 2])
        #expect(segments.allSatisfy { $0.id.producer == "svc-1" && $0.id.writer == writer.writerID })
        #expect(segments[0].path.hasSuffix(".00000001.zst"))
        #expect(SegmentID(fileName: segments[0].id.activeFileName) == segments[0].id)
        let other = try SpoolWriter(directory: dir.path, producer: "svc-1")
        #expect(other.writerID != writer.writerID)
        #expect(throws: SpoolError.self) { try SpoolWriter(directory: dir.path, producer: "bad.name") }
    }
}
