import Foundation
import Testing
@testable import TallySpool

import Glibc

/// A writer whose fsync failed stays failed, in every fsync mode, and ``SpoolWriter/linesAppended``
/// says what is in complete frames whatever failed.
@Suite struct WriterFailureTests {
    /// The names in the spool (hidden files left out), sorted.
    static func names(_ dir: TempDir) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    /// Expects `body` to throw the injected fsync failure (EIO).
    static func expectFsyncFailure(_ what: Comment, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("\(what) did not fail")
        } catch let error as SpoolError {
            #expect(error.errno == EIO, "\(what): \(error)")
            #expect(error.description.hasPrefix("cannot fsync "), "\(what): \(error)")
        } catch {
            Issue.record("\(what): \(error)")
        }
    }

    @Test func aFailedIntervalFsyncFailsEveryLaterAppendAndClose() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let writer = try SpoolWriter(directory: dir.path, producer: "p", configuration: .init(fsync: .interval(.milliseconds(20))))
        try writer.append(lines: [#"{"a":1}"#, #"{"a":2}"#])
        // One failed fsync, as Linux reports a lost write-back: later ones would succeed, so only
        // a writer that stays failed keeps `close` from sealing (and `tally append` from exiting 0).
        writer.injectSyncFailure(errno: EIO)
        try writer.append(line: #"{"a":3}"#)   // dirty again: the background thread's next sync fails
        // The thread syncs every 10 ms; give it up to 10 s.
        let deadline = Date().addingTimeInterval(10)
        while writer.failure == nil && Date() < deadline { usleep(10_000) }
        #expect(writer.failure?.errno == EIO, "the interval fsync never failed")
        Self.expectFsyncFailure("append after the failure") { try writer.append(line: #"{"a":4}"#) }
        Self.expectFsyncFailure("a second append") { try writer.append(line: #"{"a":5}"#) }
        Self.expectFsyncFailure("flush") { try writer.flush() }
        Self.expectFsyncFailure("close") { try writer.close() }
        Self.expectFsyncFailure("close again") { try writer.close() }
        // Never sealed: the segment stays `.zst.open`, its lock released, readable as far as it goes.
        let names = Self.names(dir)
        #expect(names.count == 1 && names[0].hasSuffix(".zst.open"), "\(names)")
        #expect(writer.linesAppended == 3)
        let read = try readSpool(dir.path)
        #expect(read.flatMap(\.1) == [#"{"a":1}"#, #"{"a":2}"#, #"{"a":3}"#])
        #expect(read.map(\.2.state) == [.abandoned])
    }

    @Test func aFailedFsyncInAlwaysModeFailsTheWriterForGood() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let writer = try SpoolWriter(directory: dir.path, producer: "p", configuration: .init(fsync: .always))
        try writer.append(line: #"{"a":1}"#)
        writer.injectSyncFailure(errno: EIO)
        Self.expectFsyncFailure("the append whose fsync fails") { try writer.append(line: #"{"a":2}"#) }
        Self.expectFsyncFailure("the next append") { try writer.append(line: #"{"a":3}"#) }
        Self.expectFsyncFailure("close") { try writer.close() }
        // The failed batch's frame is in the file (it survives kill -9, not necessarily power loss).
        #expect(writer.linesAppended == 2)
        #expect(try readSpool(dir.path).flatMap(\.1) == [#"{"a":1}"#, #"{"a":2}"#])
        #expect(Self.names(dir).allSatisfy { $0.hasSuffix(".zst.open") })
    }

    @Test func aFailedFsyncWhenSealingFailsCloseInEveryMode() throws {
        for fsync in [SpoolConfiguration.Fsync.never, .interval(.seconds(3600))] {
            let dir = TempDir()
            defer { dir.cleanup() }
            let writer = try SpoolWriter(directory: dir.path, producer: "p", configuration: .init(fsync: fsync))
            try writer.append(line: #"{"a":1}"#)
            writer.injectSyncFailure(errno: EIO)
            Self.expectFsyncFailure("close with fsync \(fsync)") { try writer.close() }
            Self.expectFsyncFailure("append after close with fsync \(fsync)") { try writer.append(line: #"{"a":2}"#) }
            #expect(Self.names(dir).allSatisfy { $0.hasSuffix(".zst.open") })
            #expect(writer.linesAppended == 1)
        }
    }

    @Test func linesAppendedCountsTheLinesOfCompleteFrames() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let writer = try SpoolWriter(
            directory: dir.path, producer: "p", configuration: .init(maxSegmentBytes: 4 << 10, fsync: .never, maxFrameBytes: 1000))
        #expect(writer.linesAppended == 0)
        try writer.append(lines: (0..<500).map { "line \($0)" })   // many frames and segments
        #expect(writer.linesAppended == 500)
        try writer.append(Array("a\n\nb".utf8))   // an empty line, a last line without newline
        #expect(writer.linesAppended == 503)
        try writer.append([])
        #expect(writer.linesAppended == 503)
        try writer.close()
        #expect(try readSpool(dir.path).flatMap(\.1).count == 503)
    }

    @Test func appendLinesCountsTheLinesItRead() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let long = String(repeating: "x", count: 300_000)
        let input = Array("a\nb\n\(long)\nc".utf8)   // a streamed long line, a last line without newline
        let file = dir.file("input")
        try Data(input).write(to: URL(fileURLWithPath: file))
        let fd = open(file, O_RDONLY)
        defer { close(fd) }
        let writer = try SpoolWriter(directory: dir.file("spool"), producer: "p", configuration: .init(fsync: .never))
        var linesRead: Int64 = 0
        #expect(try writer.appendLines(from: fd, maxLineBytes: 100_000, linesRead: &linesRead) == Int64(input.count))
        try writer.close()
        #expect(linesRead == 4)
        #expect(writer.linesAppended == 4)
    }
}
