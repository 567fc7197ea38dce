import Foundation
import Testing
@testable import TallyPipeline

/// A replay that cannot start says what and where in one line, with a code to tell the cases apart.
@Suite struct ReplayErrorTests {
    @Test func aMissingInputIsNamedWithItsPath() throws {
        let scratch = try ConsumerScratch()
        defer { scratch.cleanup() }
        let missing = scratch.path + "/no-such.ndjson"
        let error = try #require(throws: ReplayError.self) {
            try Replay.run(settings: scratch.settings, inputs: [missing], output: scratch.path + "/out")
        }
        #expect(error.code == .noSuchInput)
        #expect(error.path == missing)
        #expect(error.description == "no such file or directory: \(missing)")
    }

    @Test func anOutputThatHoldsSnapshotsIsRefused() throws {
        let scratch = try ConsumerScratch()
        defer { scratch.cleanup() }
        let input = scratch.path + "/one.ndjson"
        try #"{"type":"log","ts":1761177600000,"level":"info","message":"m"}"#.appending("\n")
            .write(toFile: input, atomically: true, encoding: .utf8)
        let output = scratch.path + "/out"
        _ = try Replay.run(settings: scratch.settings, inputs: [input], output: output)
        let error = try #require(throws: ReplayError.self) {
            try Replay.run(settings: scratch.settings, inputs: [input], output: output)
        }
        #expect(error.code == .outputHoldsSnapshots)
        #expect(error.path == output)
        #expect(error.description == "\(output) already holds snapshots: replay into an empty or new directory")
    }

    @Test func codesAreStableNames() {
        #expect(ReplayError.Code.noSuchInput.description == "no-such-input")
        #expect(ReplayError.Code.outputHoldsSnapshots.description == "output-holds-snapshots")
        #expect(ReplayError.Code.cannotFold.description == "cannot-fold")
        #expect(ReplayError.cannotFold(["a", "b"]).description == "cannot fold a b on one thread")
    }
}
