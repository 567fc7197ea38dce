internal import TallyPosix
import TallyCore

/// Where the input folded into a snapshot ends, as the pipeline fills it and the manifest
/// records it under `positions`. The snapshot does not interpret the offsets; the consumer
/// resumes from them.
///
/// ```swift
/// let positions = SnapshotPositions.streams(["api.W": .init(segment: "api.W.00000003.zst", offset: -1)])
/// positions.json.serialized()   // {"positions":{"api.W":{"offset":-1,"segment":"api.W.00000003.zst"}}}
/// ```
package enum SnapshotPositions: Sendable, Hashable {
    /// `tally run`: per writer stream of the spool (`<producer>.<writer>`), the segment being
    /// read and the byte offset after its last folded frame (TallySpool's ``SpoolCursor``).
    case streams([String: Stream])
    /// `tally replay`: the bytes folded of each spool segment (by sealed file name) and of each
    /// other file (by path).
    case files(segments: [String: Int64], files: [String: Int64])

    package struct Stream: Sendable, Hashable {
        /// The segment's sealed file name.
        package var segment: String
        package var offset: Int64

        package init(segment: String, offset: Int64) {
            self.segment = segment
            self.offset = offset
        }
    }

    /// The manifest's JSON, keys sorted:
    /// `{"positions":{"<stream>":{"offset":N,"segment":"<file>"}}}` or
    /// `{"segments":{"<file>":N},"files":{"<path>":N}}`.
    package var json: JSONValue {
        switch self {
        case .streams(let streams):
            let entries = streams.keys.sorted().map { key in
                let stream = streams[key]!
                return (key, JSONValue.object([("offset", .int(stream.offset)), ("segment", .string(stream.segment))]))
            }
            return .object([("positions", .object(entries))])
        case .files(let segments, let files):
            return .object([("segments", Self.offsets(segments)), ("files", Self.offsets(files))])
        }
    }

    private static func offsets(_ map: [String: Int64]) -> JSONValue {
        .object(map.keys.sorted().map { ($0, .int(map[$0]!)) })
    }

    /// The positions in a manifest's `positions` value; `nil` when it holds neither form
    /// (a snapshot written without positions, or by another tool).
    package init?(json: JSONValue) {
        if let positions = json["positions"] {
            guard case .object(let fields) = positions else { return nil }
            var streams: [String: Stream] = [:]
            for field in fields {
                guard let segment = field.value["segment"]?.stringValue, let offset = field.value["offset"]?.int64Value
                else { return nil }
                streams[field.key] = Stream(segment: segment, offset: offset)
            }
            self = .streams(streams)
        } else if let segments = json["segments"].flatMap(Self.offsets), let files = json["files"].flatMap(Self.offsets) {
            self = .files(segments: segments, files: files)
        } else {
            return nil
        }
    }

    private static func offsets(_ value: JSONValue) -> [String: Int64]? {
        guard case .object(let fields) = value else { return nil }
        var map: [String: Int64] = [:]
        for field in fields {
            guard let offset = field.value.int64Value else { return nil }
            map[field.key] = offset
        }
        return map
    }

    /// The positions recorded in the manifest at `path`, the rest of it unchecked; `nil` when it
    /// cannot be read or parsed, or records no positions.
    package init?(manifestAt path: String) {
        guard let bytes = try? FileOperations.readFile(path, followSymlinks: false, maxBytes: Manifest.maxBytes), let manifest = try? JSONParser.parse(bytes),
            let positions = manifest["positions"]
        else { return nil }
        self.init(json: positions)
    }
}
