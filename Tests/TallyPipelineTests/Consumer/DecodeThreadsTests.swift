import Foundation
import Testing
import TallyCore
import TallyCorpus
@testable import TallyPipeline
import TallySnapshot
import TallySpool

/// `tally run` with decode threads (`Consumer.Options.workers`): the same snapshots, dead
/// letters and restarts as with none, and batches folded in the order they were read.
@Suite struct DecodeThreadsTests {
    /// A spool of three writers with invalid lines and duplicates, small segments, and one line of
    /// 1.5 MiB among valid ones: its frame is too large to be held whole, so it is read line by line.
    func fillSpool(_ spool: String) throws {
        let parts = corpusParts(seed: 23, events: 9_000, parts: 3, invalidFraction: 0.01)
        try appendSealed(parts[0], spool: spool, producer: "api", maxSegmentBytes: 16 << 10)
        try appendSealed(parts[1], spool: spool, producer: "web")
        let writer = try SpoolWriter(directory: spool, producer: "batch")
        let lines = parts[2].split(separator: 0x0A).map { Array($0) + [0x0A] }
        try writer.append(Array(lines[0..<500].joined()))
        try writer.append(Array(#"{"type":"message","note":""#.utf8) + Array(repeating: 0x61, count: 3 << 19) + Array("\"}\n".utf8))
        try writer.append(Array(lines[500...].joined()))
        try writer.close()
    }

    /// Whether some frame of the spool's segments is too large to be held whole (the test's premise).
    func holdsAFrameTooLarge(_ spool: String) throws -> Bool {
        var found = false
        for name in try FileManager.default.contentsOfDirectory(atPath: spool) where name.hasSuffix(".zst") {
            _ = try SegmentReader(path: spool + "/" + name).read { event in
                if case .frame(let frame) = event, frame.bytes == nil { found = true }
            }
        }
        return found
    }

    /// Every dead-letter file of `scratch`, in generation order, as one text.
    func deadLetters(_ scratch: ConsumerScratch) throws -> String {
        try scratch.visibleNames(in: scratch.settings.deadLetter).map {
            try String(contentsOfFile: scratch.settings.deadLetter + "/" + $0, encoding: .utf8)
        }.joined()
    }

    @Test(arguments: [1, 3])
    func decodeThreadsFoldWhatOneThreadFolds(workers: Int) async throws {
        let single = try ConsumerScratch(name: "single-\(workers)")
        defer { single.cleanup() }
        let threaded = try ConsumerScratch(yaml: "spool: \(single.spool)\n", name: "threaded-\(workers)")
        defer { threaded.cleanup() }
        try fillSpool(single.spool)
        #expect(try holdsAFrameTooLarge(single.spool))

        try await single.runOnce(workers: 0)
        try await threaded.runOnce(workers: workers)
        let summary = try threaded.summaryWithoutTime()
        #expect(NSDictionary(dictionary: summary).isEqual(to: try single.summaryWithoutTime()))
        for subject in ConsumerTests.subjects {
            #expect(try threaded.query(subject) == single.query(subject), "\(subject) differs")
        }
        let invalid = summary["invalid"] as? [String: Int] ?? [:]
        #expect(invalid["too_long"] == 1 && invalid.values.reduce(0, +) > 50)
        // The same records in the same order: the long line's among the others of its writer.
        let letters = try deadLetters(threaded)
        #expect(letters == (try deadLetters(single)))
        #expect(letters.split(separator: "\n").count == invalid.values.reduce(0, +))
        try ConsumerTests().expectSameAsReplay(threaded)
    }

    @Test func restartWithDecodeThreadsReadsExactlyWhatCameAfterTheSnapshot() async throws {
        let scratch = try ConsumerScratch()
        defer { scratch.cleanup() }
        let parts = corpusParts(seed: 29, events: 8_000, parts: 4, invalidFraction: 0.01)
        for (index, part) in parts.enumerated() {
            try appendSealed(part, spool: scratch.spool, producer: index % 2 == 0 ? "api" : "web", maxSegmentBytes: 24 << 10)
            let consumer = try await scratch.runOnce(workers: 2)
            #expect(consumer.resumedGeneration == Int64(index))
        }
        try ConsumerTests().expectSameAsReplay(scratch)
        #expect(ConsumerTests().deadLetterLines(scratch) == (try ConsumerTests().invalidTotal(scratch)))
    }

    /// Frames of one to three corpus lines each, and every 97th large enough to fill a batch alone.
    func frames(seed: UInt64) -> [[UInt8]] {
        let bytes = CorpusGenerator.bytes(CorpusConfiguration(seed: seed, events: 6_000, invalidFraction: 0.02))
        let lines = bytes.split(separator: 0x0A).map { Array($0) + [0x0A] }
        var frames: [[UInt8]] = []
        var index = 0
        while index < lines.count {
            let count = frames.count % 97 == 0 ? 200 : 1 + frames.count % 3   // about 70 KiB every 97 frames
            frames.append(Array(lines[index..<min(index + count, lines.count)].joined()))
            index += count
        }
        return frames
    }

    @Test(arguments: [0, 1, 4])
    func batchesAreFoldedInTheOrderTheirFramesWereAdded(workers: Int) throws {
        let frames = frames(seed: 31)
        // What one decoder makes of the frames in order: each event's id and time, and each invalid line's reason.
        var decoder = EventDecoder(keepsUnfoldedText: false)
        var expected: [String] = []
        for frame in frames {
            for line in frame.split(separator: 0x0A) {
                switch line.withUnsafeBytes({ decoder.decode($0) }) {
                case .event(let event): expected.append("\(event.eventID.map { "\($0)" } ?? "-") \(event.timestamp)")
                case .invalid(let reason): expected.append("invalid \(reason)")
                case .blank: break
                }
            }
        }

        // Small batches, so that many are in flight at once.
        let pool = DecodePool(workers: workers, maxLineBytes: 1 << 20, batchBytes: 32 << 10, batchFrames: 16)
        var folded: [String] = []
        var marks: [Int64] = []
        var batches = 0
        let fold = { (batch: FrameBatch) in
            batches += 1
            marks += batch.marks.map(\.frame.offset)
            folded += batch.events.map { "\($0.eventID.map { "\($0)" } ?? "-") \($0.timestamp)" }
            folded += batch.invalid.map { "invalid \($0.reason)" }
        }
        for (index, frame) in frames.enumerated() {
            frame.withUnsafeBytes { pool.add($0, source: "frames", frame: FrameRef(file: 0, offset: Int64(index)), fold: fold) }
        }
        pool.drain(fold: fold)
        pool.close()
        #expect(marks == frames.indices.map { Int64($0) })
        #expect(batches > 100)
        // Events in the order they were read; each batch's invalid lines follow its events.
        #expect(folded.filter { !$0.hasPrefix("invalid") } == expected.filter { !$0.hasPrefix("invalid") })
        #expect(folded.filter { $0.hasPrefix("invalid") } == expected.filter { $0.hasPrefix("invalid") })
    }
}
