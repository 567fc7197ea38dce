import Testing
import TallyCore
@testable import TallySnapshot

@Suite struct SnapshotPositionsTests {
    @Test func streamsAndFilesAreWrittenWithKeysSorted() {
        let streams = SnapshotPositions.streams([
            "web.W": .init(segment: "web.W.00000002.zst", offset: 10), "api.W": .init(segment: "api.W.00000001.zst", offset: -1),
        ])
        #expect(streams.json.serialized() == #"{"positions":{"api.W":{"offset":-1,"segment":"api.W.00000001.zst"},"web.W":{"offset":10,"segment":"web.W.00000002.zst"}}}"#)
        let files = SnapshotPositions.files(segments: ["b": 2, "a": 1], files: ["/z": 3, "/é\u{08}": 4])
        #expect(files.json.serialized() == #"{"segments":{"a":1,"b":2},"files":{"/z":3,"/é\b":4}}"#)
    }

    @Test func theyAreReadBackFromTheirJSON() throws {
        for positions: SnapshotPositions in [
            .streams([:]), .streams(["a.W": .init(segment: "a.W.00000001.zst", offset: 7)]),
            .files(segments: [:], files: [:]), .files(segments: ["s": -1], files: ["/f": 9]),
        ] {
            #expect(SnapshotPositions(json: try JSONParser.parse(positions.json.serialized())) == positions)
        }
    }

    @Test func otherJSONIsNoPositions() throws {
        for text in ["{}", #"{"seg-1":42}"#, "[]", "null", #"{"positions":[]}"#, #"{"positions":{"a":{"segment":"s"}}}"#,
                     #"{"positions":{"a":{"segment":1,"offset":2}}}"#, #"{"segments":{},"files":{"f":"1"}}"#, #"{"segments":{}}"#] {
            #expect(SnapshotPositions(json: try JSONParser.parse(text)) == nil, "\(text)")
        }
        #expect(SnapshotPositions(manifestAt: "/nonexistent-tally/snapshot-000000000001.json") == nil)
    }
}
