import Foundation
import Testing
import TallySpool

/// `tally append` as a producer runs it: the binary, its exit codes and its one-line errors.
@Suite struct AppendCommandTests {
    /// Every line stored in the spool's segments, in segment order.
    func storedLines(_ spool: String) throws -> [String] {
        var lines: [String] = []
        for segment in try Spool(directory: spool).segments() {
            _ = try SegmentReader(path: segment.path).read { event in
                if case .frame(let frame) = event {
                    try frame.forEachLine { lines.append(String(decoding: $0.bytes, as: UTF8.self)) }
                }
            }
        }
        return lines
    }

    @Test func takesSpoolAndSegmentSettingsFromThePipelineFile() throws {
        let scratch = try CLIScratch(pipeline: "spool: ./from-pipeline\nsegment:\n  max_bytes: 1KiB\n  fsync: never\n")
        defer { scratch.cleanup() }
        // About 2 MB: more than one frame (1 MiB of lines), and each frame is past 1 KiB compressed.
        let input = (0..<30_000).map { #"{"type":"log","ts":\#($0),"level":"info","message":"line \#($0) of a burst"}"# }
        let outcome = try tally(["append", "--pipeline", scratch.pipeline, "--producer", "api"], input: Array((input.joined(separator: "\n") + "\n").utf8))
        #expect(outcome.status == 0, "\(outcome.error)")
        let spool = scratch.path + "/from-pipeline"
        #expect(try storedLines(spool) == input)
        // The pipeline's max_bytes (1 KiB) was applied: a segment is sealed after each frame.
        #expect(try Spool(directory: spool).segments().count > 1)
    }

    @Test func aFlagOverridesThePipelineFile() throws {
        let scratch = try CLIScratch(pipeline: "spool: ./from-pipeline\n")
        defer { scratch.cleanup() }
        let outcome = try tally(["append", "--pipeline", scratch.pipeline, "--spool", scratch.spool], input: Array("{\"a\":1}\n".utf8))
        #expect(outcome.status == 0, "\(outcome.error)")
        #expect(try storedLines(scratch.spool) == [#"{"a":1}"#])
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/from-pipeline"))
    }

    @Test func invalidUTF8AndALastLineWithoutNewlineAreAppendedAsTheyAre() throws {
        let scratch = try CLIScratch(pipeline: "")
        defer { scratch.cleanup() }
        let input: [UInt8] = Array("{\"ok\":1}\n".utf8) + [0x7B, 0xFF, 0xFE, 0x7D, 0x0A] + Array("{\"last\":true}".utf8)
        let outcome = try tally(["append", "--spool", scratch.spool], input: input)
        #expect(outcome.status == 0, "\(outcome.error)")
        var stored: [UInt8] = []
        for segment in try Spool(directory: scratch.spool).segments() {
            _ = try SegmentReader(path: segment.path).read { event in
                if case .frame(let frame) = event { try frame.forEachPiece { stored.append(contentsOf: $0) } }
            }
        }
        #expect(stored == input + [0x0A])
    }

    @Test func emptyInputWritesNothing() throws {
        let scratch = try CLIScratch(pipeline: "")
        defer { scratch.cleanup() }
        let outcome = try tally(["append", "--spool", scratch.spool], input: [])
        #expect(outcome.status == 0)
        #expect(try Spool(directory: scratch.spool).segments().isEmpty)
    }

    @Test func aSpoolPathThatIsAFileIsRefusedInOneLine() throws {
        let scratch = try CLIScratch(pipeline: "")
        defer { scratch.cleanup() }
        let file = scratch.path + "/not-a-directory"
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        let outcome = try tally(["append", "--spool", file], input: Array("{}\n".utf8))
        #expect(outcome.status == 1)
        #expect(outcome.error.hasPrefix("tally: "))
        #expect(outcome.error.contains(file))
        #expect(outcome.error.split(separator: "\n").count == 1)
    }

    @Test func neitherSpoolNorPipelineIsBadUsage() throws {
        let outcome = try tally(["append"], input: Array("{}\n".utf8))
        #expect(outcome.status == 2)
        #expect(outcome.error == "tally: give --spool DIR or --pipeline FILE\n")
    }
}
