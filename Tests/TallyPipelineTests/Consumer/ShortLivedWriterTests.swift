import Foundation
import Testing
import TallyPipeline
import TallySpool

/// Thousands of short-lived writers (each `tally append` is one) leave nothing in the cursor once
/// their segments are folded and gone: the manifest does not grow without end.
@Suite struct ShortLivedWriterTests {
    /// 1,000 writers, one line and one sealed segment each.
    static func thousandWriters(spool: String) throws {
        var configuration = SpoolConfiguration()
        configuration.fsync = .never
        for index in 0..<1_000 {
            let writer = try SpoolWriter(directory: spool, producer: "cli", configuration: configuration)
            try writer.append(line: #"{"type":"log","ts":1761229800000,"level":"info","message":"run \#(index)"}"#)
            try writer.close()
        }
    }

    @Test func runOnceKeepsNoPositionsOfWritersWhoseSegmentsAreGone() async throws {
        let scratch = try ConsumerScratch(yaml: "snapshot:\n  keep: 1\nretention:\n  segments: 1ms\n")
        defer { scratch.cleanup() }
        try Self.thousandWriters(spool: scratch.spool)
        usleep(20_000)
        // Folds the 1,000 lines, then retention deletes the folded segments.
        try await scratch.runOnce()
        #expect(scratch.visibleNames(in: scratch.spool).isEmpty)
        #expect(try scratch.summaryWithoutTime()["events"] as? Int == 1_000)
        // The next run (a cron job's `run --once`) writes no position of the 1,000 gone writers.
        try await scratch.runOnce()
        #expect(try scratch.positionCount() == 0)
        try await scratch.runOnce()
        #expect(try scratch.positionCount() == 0)
        #expect(try scratch.summaryWithoutTime()["events"] as? Int == 1_000)

        // New writers come and go the same way; the totals go on.
        try Self.thousandWriters(spool: scratch.spool)
        usleep(20_000)
        try await scratch.runOnce()
        try await scratch.runOnce()
        #expect(try scratch.positionCount() == 0)
        #expect(try scratch.summaryWithoutTime()["events"] as? Int == 2_000)
    }

    @Test func aWriterWhoseSegmentVanishedBeforeItsEndIsForgotten() async throws {
        let scratch = try ConsumerScratch()
        defer { scratch.cleanup() }
        // A writer still appending: the cursor stops inside its active segment.
        var configuration = SpoolConfiguration()
        configuration.fsync = .never
        let writer = try SpoolWriter(directory: scratch.spool, producer: "gone", configuration: configuration)
        try writer.append(line: #"{"type":"log","ts":1761229800000,"level":"info","message":"first"}"#)
        try await scratch.runOnce()
        #expect(try scratch.positionCount() == 1)
        // Its segment is deleted (an operator, another pipeline's retention) before it was sealed.
        let segment = try Spool(directory: scratch.spool).segments()[0].path
        try FileManager.default.removeItem(atPath: segment)
        try? writer.close()
        try await scratch.runOnce()
        #expect(try scratch.positionCount() == 0)
    }
}
