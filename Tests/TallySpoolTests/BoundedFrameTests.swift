import TallyCorpus
import Foundation
import Testing
@testable import TallySpool

/// Frames that claim or hold more than a reader may spend: decoded in bounded buffers,
/// reported as damage when they cannot be, lines longer than `maxLineBytes` cut.
@Suite struct BoundedFrameTests {
    /// Reads `bytes` as a finished `.zst` file: lines (cut ones as "cut:<length>:<first 8 bytes>"), damage, end.
    static func read(_ bytes: [UInt8], maxLineBytes: Int = 1 << 20, name: String = #function) throws
        -> (lines: [String], damage: [SegmentReader.Damage], end: SegmentReader.End)
    {
        let dir = TempDir(name)
        defer { dir.cleanup() }
        let path = dir.file("input.zst")
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        var lines: [String] = []
        var damage: [SegmentReader.Damage] = []
        let end = try SegmentReader(path: path, maxLineBytes: maxLineBytes).read { event in
            switch event {
            case .frame(let frame):
                try frame.forEachLine { line in
                    lines.append(line.isCut
                        ? "cut:\(line.length):\(String(decoding: line.bytes.prefix(8), as: UTF8.self)):\(line.bytes.count)"
                        : String(decoding: line.bytes, as: UTF8.self))
                }
            case .damaged(let d): damage.append(d)
            }
        }
        return (lines, damage, end)
    }

    /// A frame compressed by the spool writer (content checksum on), of `lines`.
    static func goodFrame(_ lines: [String], name: String = #function) throws -> [UInt8] {
        let dir = TempDir(name + "w")
        defer { dir.cleanup() }
        let writer = try SpoolWriter(directory: dir.path, producer: "p")
        try writer.append(lines: lines.map { Array($0.utf8) })
        try writer.close()
        return Array(try Data(contentsOf: URL(fileURLWithPath: try Spool(directory: dir.path).segments()[0].path)))
    }

    @Test func aFrameDeclaringFourGiBIsDamageAndReadingGoesOn() throws {
        let good = try Self.goodFrame([#"{"n":1}"#])
        let r = try Self.read(HostileFrames.forgedFourGiB + good)
        #expect(r.damage.count == 1)
        #expect(r.damage.first?.offset == 0 && r.damage.first?.length == 17)
        #expect(r.lines == [#"{"n":1}"#])
        #expect(r.end.tornTail == nil)
    }

    @Test func anRLEBombIsStreamedAsOneCutLine() throws {
        let bomb = HostileFrames.rleBomb()
        let blocks = (bomb.count - 6) / 4
        let r = try Self.read(bomb + (try Self.goodFrame([#"{"n":2}"#])))
        #expect(r.damage.isEmpty)
        #expect(r.lines == ["cut:\(blocks * (128 << 10)):aaaaaaaa:\(LineAssembler.keptBytes)", #"{"n":2}"#])
    }

    @Test func aBombOfNewlinesGivesEveryLine() throws {
        let r = try Self.read(HostileFrames.rleBomb(byte: 0x0A, bytes: 30))
        #expect(r.damage.isEmpty)
        #expect(r.lines.count == ((30 - 6) / 4) * (128 << 10))
        #expect(!r.lines.contains { !$0.isEmpty })
    }

    @Test func aRawBlockAbove128KiBIsDamage() throws {
        let line = Array(#"{"pad":""#.utf8) + [UInt8](repeating: 0x62, count: 131_168) + Array(#""}"#.utf8)
        let r = try Self.read(HostileFrames.rawBlock(line))
        #expect(r.lines.isEmpty)
        #expect(r.damage.count == 1)
        #expect(r.damage.first?.reason.contains("128 KiB") == true, "\(r.damage)")
        // The same line at the limit is fine.
        let small = try Self.read(HostileFrames.rawBlock([UInt8](repeating: 0x63, count: (128 << 10) - 1)))
        #expect(small.damage.isEmpty && small.lines.count == 1)
    }

    @Test func aWholeLastFrameThatDoesNotDecodeIsDamageNotATornTail() throws {
        var bad = try Self.goodFrame([#"{"n":3}"#])
        bad[bad.count - 1] ^= 0xFF   // the content checksum
        let checksum = try Self.read(bad)
        #expect(checksum.end.tornTail == nil)
        #expect(checksum.damage.count == 1 && checksum.damage[0].reason.lowercased().contains("checksum"), "\(checksum.damage)")
        let text = try Self.read(Array("just text\n".utf8))
        #expect(text.end.tornTail == nil && text.damage.count == 1, "\(text.damage)")
        let gzip = try Self.read([0x1F, 0x8B, 0x08, 0x00] + [UInt8](repeating: 0, count: 20))
        #expect(gzip.end.tornTail == nil && gzip.damage.count == 1)
        let good = try Self.goodFrame([#"{"n":4}"#])
        let trailing = try Self.read(good + Array("garbage".utf8))
        #expect(trailing.lines == [#"{"n":4}"#] && trailing.end.tornTail == nil && trailing.damage.count == 1)
        #expect(trailing.damage.first?.offset == Int64(good.count))
        // A dictionary frame without its dictionary: dictionary id 1 in the header.
        let dictionary = HostileFrames.magic + [0x21, 0x01, 0x05] + HostileFrames.littleEndian(1 | 1 << 1 | 5 << 3, 3) + [0x61]
        let dict = try Self.read(dictionary)
        #expect(dict.end.tornTail == nil && dict.damage.count == 1, "\(dict.damage)")
    }

    @Test func anIncompleteLastFrameIsStillATornTail() throws {
        let good = try Self.goodFrame([#"{"n":5}"#, #"{"n":6}"#])
        let r = try Self.read(good + Array(good.prefix(good.count - 3)))
        #expect(r.damage.isEmpty)
        #expect(r.end.tornTail == SegmentReader.TornTail(offset: Int64(good.count), length: Int64(good.count - 3)))
        #expect(r.lines == [#"{"n":5}"#, #"{"n":6}"#])
    }

    @Test func aFrameLargerThanTheBufferIsReadInPiecesWithLinesWhole() throws {
        // 3 MiB of content in one frame (lines of 100 KiB), a reader held to 1 MiB.
        let lines = (0..<30).map { #"{"i":\#($0),"p":""# + String(repeating: "x", count: 100 << 10) + #""}"# }
        let frame = try Self.goodFrame(lines.joined(separator: "\n").split(separator: "\n").map(String.init))
        let r = try Self.read(frame, maxLineBytes: 200 << 10)
        #expect(r.damage.isEmpty)
        #expect(r.lines == lines)
    }

    @Test func aLineCutAcrossPiecesKeepsItsStartAndLength() {
        let lines = LineAssembler(maxLineBytes: 10)
        var got: [String] = []
        let body: (LineAssembler.Line) -> Void = { line in
            got.append("\(line.frameOffset)/\(line.offset):\(String(decoding: line.bytes, as: UTF8.self)):\(line.length)\(line.isCut ? "!" : "")")
        }
        lines.beginFrame(at: 100)
        Array("ab\ncd".utf8).withUnsafeBytes { lines.feed($0, body) }
        lines.beginFrame(at: 200)
        Array("ef\n0123456789abc".utf8).withUnsafeBytes { lines.feed($0, body) }
        Array("defgh\nlast".utf8).withUnsafeBytes { lines.feed($0, body) }
        lines.finish(body)
        #expect(got == ["100/0:ab:2", "100/3:cdef:4", "200/3:0123456789abcdefgh:18!", "200/22:last:4"])
    }
}
