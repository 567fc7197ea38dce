import Foundation
import Testing
import TallySnapshot
@testable import TallyPipeline

/// Dead letters waiting for a snapshot are bounded in memory: past 1 MiB they go to their file.
@Suite struct PendingDeadLettersTests {
    @Test func aLargeBufferSpillsToTheGenerationsFileAndTheFlushCompletesIt() throws {
        let directory = NSTemporaryDirectory() + "tally-pending-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var pending = PendingDeadLetters(files: SnapshotDirectory.DeadLetters(directory: directory, identity: "0123456789abcdef"))
        let record = Array((#"{"source":"s","offset":0,"reason":"not_json","line":"x"}"# + "\n").utf8)
        var total = 0
        while pending.buffer.count < PendingDeadLetters.spillBytes {
            pending.buffer += record
            total += 1
        }
        try pending.spillIfLarge(generation: 3)
        #expect(pending.buffer.isEmpty)
        let path = pending.files.path(generation: 3)
        #expect(lineCount(path) == total)
        // A small rest stays in memory until the flush.
        pending.buffer += record
        try pending.spillIfLarge(generation: 3)
        #expect(pending.buffer.count == record.count)
        try pending.flush(generation: 3)
        #expect(lineCount(path) == total + 1)
        #expect(pending.lines == total + 1)
        pending.committed()
        #expect(pending.isEmpty)
    }
}
