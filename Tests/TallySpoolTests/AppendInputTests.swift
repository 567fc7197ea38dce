import Foundation
import Testing
@testable import TallySpool

#if canImport(Glibc)
import Glibc
#endif

/// Appends `input` through `appendLines(from:)` (what `tally append` runs on stdin).
private func appendInput(_ input: [UInt8], to dir: String, maxLineBytes: Int = 1 << 20) throws -> Int64 {
    let file = dir + ".input"
    try Data(input).write(to: URL(fileURLWithPath: file))
    defer { try? FileManager.default.removeItem(atPath: file) }
    let fd = open(file, O_RDONLY)
    defer { close(fd) }
    let writer = try SpoolWriter(directory: dir, producer: "cli")
    let n = try writer.appendLines(from: fd, maxLineBytes: maxLineBytes)
    try writer.close()
    return n
}

private func rawLines(_ dir: String) throws -> [[UInt8]] {
    var lines: [[UInt8]] = []
    let reader = SpoolReader(directory: dir)
    var cursor = SpoolCursor()
    try reader.readNew(from: &cursor) { event in
        if case .frame(_, let f) = event { try f.forEachLine { lines.append(Array($0.bytes)) } }
    }
    return lines
}

@Suite struct AppendInputTests {
    @Test func invalidUTF8IsAppendedAsIs() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let bad: [UInt8] = [0x7B, 0xFF, 0xFE, 0xC3, 0x28, 0x7D]
        var input: [UInt8] = bytes("{\"ok\":1}\n")
        input += bad
        input += [0x0A]
        input += bytes("{\"ok\":2}\n")
        #expect(try appendInput(input, to: dir.path) == Int64(input.count))
        #expect(try rawLines(dir.path) == [bytes("{\"ok\":1}"), bad, bytes("{\"ok\":2}")])
    }

    @Test func fiveMiBLineIsAppendedWholeInAFrameOfItsOwn() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        var big = bytes("{\"blob\":\"")
        big += (0..<(5 << 20)).map { (i: Int) -> UInt8 in UInt8(0x61 + (i * 7 + i / 977) % 26) }
        big += bytes("\"}")
        var input: [UInt8] = bytes("{\"before\":1}\n")
        input += big
        input += [0x0A]
        input += bytes("{\"after\":1}\n")
        _ = try appendInput(input, to: dir.path, maxLineBytes: 1 << 20)
        // Read back with the same limit, the long line is streamed: its length and first 4 KiB, `too_long`.
        var lines: [(bytes: [UInt8], length: Int64, isCut: Bool)] = []
        var cursor = SpoolCursor()
        try SpoolReader(directory: dir.path, maxLineBytes: 1 << 20).readNew(from: &cursor) { event in
            if case .frame(_, let f) = event { try f.forEachLine { lines.append((Array($0.bytes), $0.length, $0.isCut)) } }
        }
        #expect(lines.count == 3)
        #expect(lines.first?.bytes == bytes("{\"before\":1}"))
        #expect(lines.count == 3 && lines[1].isCut && lines[1].length == Int64(big.count))
        #expect(lines.count == 3 && lines[1].bytes == Array(big.prefix(LineAssembler.keptBytes)))
        #expect(lines.last?.bytes == bytes("{\"after\":1}"))
        // With a limit above its size it is read whole.
        var whole: [UInt8] = []
        cursor = SpoolCursor()
        try SpoolReader(directory: dir.path, maxLineBytes: 8 << 20).readNew(from: &cursor) { event in
            if case .frame(_, let f) = event { try f.forEachLine { if $0.length > 100 { whole = Array($0.bytes) } } }
        }
        #expect(whole.count == big.count && whole.elementsEqual(big))
        let segment = try Spool(directory: dir.path).segments()[0]
        #expect(try zstdTestPasses(segment.path))
        var frameLines: [Int] = []
        _ = try SegmentReader(path: segment.path).read { if case .frame(let f) = $0 { frameLines.append(try f.lineCount()) } }
        #expect(frameLines.contains(1) && frameLines.reduce(0, +) == 3)
    }

    @Test func lastLineWithoutNewlineGetsOne() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        _ = try appendInput(bytes("{\"a\":1}\n{\"a\":2}"), to: dir.path)
        #expect(try rawLines(dir.path) == [bytes("{\"a\":1}"), bytes("{\"a\":2}")])
        let segment = try Spool(directory: dir.path).segments()[0]
        #expect(try zstdcat(segment.path) == Data(bytes("{\"a\":1}\n{\"a\":2}\n")))
    }

    @Test func emptyInputWritesNothing() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        #expect(try appendInput([], to: dir.path) == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func spoolPathThatIsAFileIsRefusedInOneLine() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let file = dir.file("x")
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        for path in [file, file + "/sub"] {
            do {
                _ = try SpoolWriter(directory: path, producer: "cli")
                Issue.record("accepted \(path)")
            } catch {
                #expect(error.code == .notADirectory)
                #expect(error.description == "cannot append to \(path): not a directory")
            }
        }
    }

    @Test func unwritableSpoolIsRefusedInOneLine() throws {
        // Root may write anywhere a mode bit forbids, so use a file system nobody may create files in.
        let path = "/proc/self/fdinfo"
        do {
            _ = try SpoolWriter(directory: path, producer: "cli")
            Issue.record("accepted \(path)")
        } catch {
            #expect(error.code == .io)
            #expect(error.description.hasPrefix("cannot append to \(path): "))
            #expect(!error.description.contains("\n"))
        }
        if geteuid() != 0 {
            let dir = TempDir()
            defer { dir.cleanup() }
            chmod(dir.path, 0o555)
            defer { chmod(dir.path, 0o755) }
            #expect(throws: SpoolError.self) { try SpoolWriter(directory: dir.path, producer: "cli") }
        }
    }

    @Test func missingSpoolDirectoryIsCreated() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let writer = try SpoolWriter(directory: dir.file("a/b/spool"), producer: "cli")
        try writer.append(bytes("x\n"))
        try writer.close()
        #expect(try Spool(directory: dir.file("a/b/spool")).segments().count == 1)
    }

    @Test func trickleIsAppendedBeforeEndOfInput() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let writer = try SpoolWriter(directory: dir.path, producer: "cli")
        let readEnd = fds[0]
        let appender = Thread { _ = try! writer.appendLines(from: readEnd, maxDelay: .milliseconds(10)) }
        appender.start()
        _ = write(fds[1], "{\"first\":1}\n", 12)
        // The line shows up in the spool while the input is still open.
        var seen: [[UInt8]] = []
        for _ in 0..<2000 where seen.isEmpty {
            seen = try rawLines(dir.path)
            if seen.isEmpty { usleep(5000) }
        }
        #expect(seen == [bytes("{\"first\":1}")])
        _ = write(fds[1], "{\"second\":2}\n", 13)
        close(fds[1])
        while !appender.isFinished { usleep(1000) }
        try writer.close()
        close(fds[0])
        #expect(try rawLines(dir.path) == [bytes("{\"first\":1}"), bytes("{\"second\":2}")])
    }
}
