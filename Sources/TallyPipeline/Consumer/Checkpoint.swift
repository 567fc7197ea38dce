internal import TallyPosix
import Foundation
import TallySpool

/// The consumer's checkpoint as a snapshot records it (`positions` in the manifest): the
/// ``SpoolCursor`` up to which frames are folded into that snapshot, as JSON. It is committed
/// with the snapshot in one atomic step (the manifest rename), so a snapshot's aggregates and
/// its positions always agree.
///
/// ```json
/// {"positions":{"api.20251023T143000_123456Z-4242-9f3a1c2b":{"offset":-1,"segment":"api.20251023T143000_123456Z-4242-9f3a1c2b.00000003.zst"}}}
/// ```
///
/// The cursor's encoding (stream keys, offsets, a finished segment) is TallySpool's: see
/// ``SpoolCursor`` and ``SpoolPosition``.
enum Checkpoint {
    static func json(_ cursor: SpoolCursor) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a dictionary of strings and integers cannot fail.
        return String(decoding: (try? encoder.encode(cursor)) ?? Data("{\"positions\":{}}".utf8), as: UTF8.self)
    }

    /// The cursor in a snapshot's positions; `nil` when they are not a spool cursor (a
    /// snapshot written by `tally replay`, say).
    static func cursor(fromJSON json: String) -> SpoolCursor? {
        try? JSONDecoder().decode(SpoolCursor.self, from: Data(json.utf8))
    }

    /// The cursors of the complete snapshots kept in `directory` up to `generation`, oldest
    /// first, read from their manifests (`nil` for a manifest whose positions are not a cursor).
    static func keptCursors(in directory: String, upTo generation: Int64) -> [(generation: Int64, cursor: SpoolCursor?)] {
        struct ManifestPositions: Decodable { var positions: SpoolCursor }
        var found: [(generation: Int64, cursor: SpoolCursor?)] = []
        for name in (try? FileOperations.listIfPresent(directory)) ?? [] {
            guard name.hasPrefix("snapshot-"), name.hasSuffix(".json"),
                let number = Int64(name.dropFirst("snapshot-".count).dropLast(".json".count)), number <= generation
            else { continue }
            let data = FileManager.default.contents(atPath: directory + "/" + name) ?? Data()
            found.append((number, try? JSONDecoder().decode(ManifestPositions.self, from: data).positions))
        }
        return found.sorted { $0.generation < $1.generation }
    }
}
