import Foundation
import Testing
import TallyCore
@testable import TallyPipeline
import TallySnapshot
import TallySpool

/// What the pipeline records in a snapshot's manifest (positions, health, settings),
/// built as typed values and written by the one JSON writer.
@Suite struct SnapshotMetadataTests {
    static func cursor(_ producers: [String]) -> SpoolCursor {
        var cursor = SpoolCursor()
        for (index, producer) in producers.enumerated() {
            let id = SegmentID(producer: producer, writer: "20251023T143000_123456Z-\(4242 + index)-9f3a1c2b", sequence: UInt64(index + 1))
            cursor.positions[producer + "." + id.writer] = SpoolPosition(segment: id, offset: index.isMultiple(of: 2) ? -1 : Int64(4096 * index))
        }
        return cursor
    }

    @Test func checkpointIsTheTextJSONEncoderWroteBefore() throws {
        let cursor = Self.cursor(["api", "Web", "api10", "api9", "_x", "A-b", "z"])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let before = String(decoding: try encoder.encode(cursor), as: UTF8.self)
        #expect(Checkpoint.positions(cursor).json.serialized() == before)
        #expect(Checkpoint.positions(SpoolCursor()).json.serialized() == #"{"positions":{}}"#)
    }

    @Test func checkpointComesBackAsTheCursor() {
        let cursor = Self.cursor(["api", "web"])
        #expect(Checkpoint.cursor(from: Checkpoint.positions(cursor)) == cursor)
        #expect(Checkpoint.cursor(from: SnapshotPositions(json: Checkpoint.positions(cursor).json)) == cursor)
        #expect(Checkpoint.cursor(from: .streams([:])) == SpoolCursor())
        // Positions of `tally replay`, none at all, or a stream whose segment is not a segment name: not a cursor.
        #expect(Checkpoint.cursor(from: .files(segments: [:], files: ["/x": 1])) == nil)
        #expect(Checkpoint.cursor(from: nil) == nil)
        #expect(Checkpoint.cursor(from: .streams(["a.W": .init(segment: "not-a-segment", offset: 0)])) == nil)
    }

    @Test func healthIsOneObjectWithKeysSorted() {
        var health = ConsumerHealth()
        health.lagBytes = 10
        health.lagFrames = 2
        health.eventsPerSecond = 51_234.46
        health.tornTails = 1
        health.writers = 4
        #expect(health.value.serialized() == #"{"damaged_frames":0,"events_per_second":51234.5,"lag_bytes":10,"lag_frames":2,"lag_oldest_ms":null,"mode":"run","sessions_evicted":0,"sessions_in_memory":0,"sessions_reloaded":0,"torn_tails":1,"unreadable_files":0,"writers":4}"#)
        health.lagOldestMs = 1_500
        health.eventsPerSecond = 0
        #expect(health.value["lag_oldest_ms"] == .int(1_500))
        #expect(health.value["events_per_second"] == .number("0.0"))
    }

    @Test func restoredHealthGivesBackTheCumulativeCounters() throws {
        var health = ConsumerHealth()
        health.tornTails = 3
        health.damagedFrames = 7
        let restored = ConsumerHealth.restoredCounters(try JSONParser.parse(health.value.serialized()))
        #expect(restored.tornTails == 3 && restored.damagedFrames == 7)
        let replay = ConsumerHealth.restoredCounters(Health.replay(damage: 5))
        #expect(replay.tornTails == 0 && replay.damagedFrames == 0)
    }

    @Test func replayRecordsFilesAndSegmentsWithKeysSorted() {
        var positions = Positions()
        positions.segments = ["b.W.00000002.zst": 20, "a.W.00000001.zst": -1]
        positions.files = ["/x/z.ndjson": 5, "/x/a\u{08}.ndjson": 7]
        #expect(positions.recorded.json.serialized() == #"{"segments":{"a.W.00000001.zst":-1,"b.W.00000002.zst":20},"files":{"/x/a\b.ndjson":7,"/x/z.ndjson":5}}"#)
        #expect(Health.replay(damage: 2).serialized() == #"{"mode":"replay","damaged_frames_and_torn_tails":2}"#)
    }

    @Test func canonicalSettingsAreOneSortedObjectAndItsText() throws {
        var settings = PipelineSettings.defaults(relativeTo: "/srv/t\u{08}")
        settings.fold.pricing["Zed"] = [ModelPrice(inputPicosPerToken: 1_000_000, outputPicosPerToken: 2_000_000)]
        let value = settings.canonicalValue()
        #expect(value.serialized() == settings.canonicalJSON())
        #expect(settings.canonicalJSON().contains(#""spool":"/srv/t\b/spool""#))
        #expect(try JSONParser.parse(settings.canonicalJSON()) == value)
        guard case .object(let fields) = value else { Issue.record("not an object"); return }
        #expect(fields.map(\.key) == ["alerts", "dead_letter", "file", "limits", "pricing", "retention", "segment", "sessions", "snapshot", "snapshots", "spool"])
    }
}
