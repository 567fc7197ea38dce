import Foundation
import Testing
@testable import TallyPipeline
import TallySnapshot
import TallySpool

/// Replay reads files in units of frames; the result must be that of reading each file whole.
@Suite struct ReplayUnitTests {
    /// One sealed segment of a small corpus, damaged: checksum failures in frame 5 and in frames
    /// 10 and 11 (one damaged region across two units), garbage at frame 20's start (the header
    /// walk stops there), and a torn last frame. Returns the segment path and its intact frame starts.
    private func damagedSegment(_ scratch: ConsumerScratch) throws -> (path: String, starts: [Int64]) {
        try appendSealed(
            corpusParts(seed: 7, events: 4_000, parts: 1, invalidFraction: 0.01)[0], spool: scratch.spool, producer: "api")
        let path = try Spool(directory: scratch.spool).segments()[0].path
        let starts = try SegmentReader(path: path).frameStarts(from: 0).starts
        #expect(starts.count > 24)
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        for frame in [5, 10, 11] { data[Int(starts[frame + 1]) - 1] ^= 0xFF }
        data[Int(starts[20])] = 0
        let lastLength = data.count - Int(starts.last!)
        try data.prefix(data.count - lastLength / 2).write(to: URL(fileURLWithPath: path))
        return (path, starts)
    }

    private func manifest(_ report: Replay.Report) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: report.snapshot.manifestPath))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    @Test func unitsOfOneFrameGiveTheResultOfReadingTheFileWhole() throws {
        let scratch = try ConsumerScratch()
        defer { scratch.cleanup() }
        let (path, starts) = try damagedSegment(scratch)
        let whole = try Replay.run(
            settings: scratch.settings, inputs: [scratch.spool], output: scratch.path + "/whole", workers: 1,
            unitBytes: .max, progress: nil, warning: { _ in })
        var warnings: [String] = []
        let split = try Replay.run(
            settings: scratch.settings, inputs: [scratch.spool], output: scratch.path + "/split", workers: 2,
            unitBytes: 1, progress: nil, warning: { warnings.append($0) })

        // Frames 10 and 11 are one region; frame 20 lost its magic; the torn tail ends the file.
        #expect(split.damage.count == 4)
        let expectedStarts = [
            "\(path): damaged frame at byte \(starts[5]) (\(starts[6] - starts[5]) bytes skipped)",
            "\(path): damaged frame at byte \(starts[10]) (\(starts[12] - starts[10]) bytes skipped)",
            "\(path): damaged frame at byte \(starts[20]) (\(starts[21] - starts[20]) bytes skipped)",
            "\(path): torn tail at byte \(starts.last!)",
        ]
        for (note, prefix) in zip(split.damage, expectedStarts) { #expect(note.hasPrefix(prefix), "\(note)") }
        #expect(split.damage == whole.damage)
        #expect(warnings == split.damage)
        #expect(split.lines == whole.lines)
        #expect(split.summary == whole.summary)
        for subject in ConsumerTests.subjects {
            #expect(try scratch.query(subject, in: scratch.path + "/split") == scratch.query(subject, in: scratch.path + "/whole"))
        }
        #expect(
            NSDictionary(dictionary: try scratch.summaryWithoutTime(in: scratch.path + "/split"))
                .isEqual(to: try scratch.summaryWithoutTime(in: scratch.path + "/whole")))
        let positions = try #require(try manifest(split)["positions"] as? [String: Any])
        #expect(NSDictionary(dictionary: positions).isEqual(to: try #require(try manifest(whole)["positions"] as? [String: Any])))
        let fileSize = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        let segments = try #require(positions["segments"] as? [String: Any])
        #expect(segments.values.first as? Int == fileSize)
        #expect(lineCount(split.deadLetterFile!) == lineCount(whole.deadLetterFile!))
    }

    @Test func unitsOfOneFrameCoverEveryFrameOnceAndOnlyTheLastReadsToTheEnd() throws {
        let scratch = try ConsumerScratch()
        defer { scratch.cleanup() }
        try appendSealed(corpusParts(seed: 3, events: 2_000, parts: 1)[0], spool: scratch.spool, producer: "api")
        let (inputs, _, _) = try ReplayInput.expand([scratch.spool])
        let starts = try SegmentReader(path: inputs[0].path).frameStarts(from: 0).starts
        #expect(starts.count > 3)
        let units = ReplayUnit.plan(inputs, targetBytes: 1)
        #expect(units.map(\.start) == starts)
        #expect(units.dropLast().allSatisfy { !$0.isLast && $0.frames == 1 })
        #expect(units.last!.isLast)
        for (unit, next) in zip(units, units.dropFirst()) { #expect(unit.end == next.start) }
        #expect(ReplayUnit.plan(inputs, targetBytes: inputs[0].size).count == 1)
    }
}
