import TallyCore
import TallySnapshot
import TallySpool

/// The read positions a snapshot records: for spool segments the byte offset up to which
/// whole frames were folded (keyed by the sealed file name, which an active segment keeps
/// when it is sealed), for other files the bytes read.
struct Positions: Sendable, Hashable {
    var segments: [String: Int64] = [:]
    var files: [String: Int64] = [:]

    mutating func record(_ input: ReplayInput, offset: Int64) {
        if let segment = input.segment {
            segments[segment.fileName] = offset
        } else {
            files[input.path] = offset
        }
    }

    /// As the manifest records them: `{"segments":{"api.W.00000001.zst":4096,...},"files":{"/x/old.ndjson":1234}}`.
    var recorded: SnapshotPositions { .files(segments: segments, files: files) }
}

/// The health a `tally replay` snapshot records.
enum Health {
    static func replay(damage: Int) -> JSONValue {
        .object([("mode", .string("replay")), ("damaged_frames_and_torn_tails", .int(damage))])
    }
}
