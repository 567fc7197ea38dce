internal import TallyPosix
internal import Glibc
import TallyCore

/// The manifest `snapshot-<generation>.json`: the commit point of one snapshot. Small and
/// self-describing; per-session data lives in `sessions.db`, the fold's globals in the state file.
struct Manifest {
    static let format = "tally-snapshot"
    static let version: Int64 = 1
    /// A manifest longer than this is damaged, not read: it holds a position per writer stream
    /// still in the spool, a few hundred bytes each.
    static let maxBytes = 64 << 20

    var generation: Int64
    /// Wall-clock time of the write, epoch ms.
    var snapshotAt: Int64
    /// Largest event `ts` folded, epoch ms.
    var watermark: Int64?
    var inactivityTimeoutMs: Int64
    var settings: JSONValue
    var positions: JSONValue
    var health: JSONValue
    var deadLetter: String?
    /// The snapshot directory's identity, which names its dead-letter files (see
    /// ``SnapshotDirectory/DeadLetters``); `nil` in a manifest of an older build.
    var deadLetterID: String?
    /// Dead-letter files named as older builds named them (`dead-letter-<generation>.ndjson`) are
    /// this snapshot's up to this generation (0: none): the history of a directory continued.
    var deadLetterLegacyThrough: Int64 = 0
    /// The identity of the spool the snapshot folded (`tally run`), see TallySpool's `SpoolIdentity`.
    var spoolID: String?
    /// `query summary` output.
    var summary: JSONValue
    /// `query tools` and `query models` output (arrays of objects).
    var tools: JSONValue
    var models: JSONValue
    /// 1.1: `query errors` output (an array of objects, largest first); `nil` in manifests before 1.1.
    var errors: JSONValue?
    var stateFile: String
    var stateBytes: Int64
    var stateCRC32: Int64

    var value: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("format", .string(Manifest.format)),
            ("version", .int(Manifest.version)),
            ("generation", .int(generation)),
            ("snapshot_at", .time(snapshotAt)),
            ("snapshot_at_ms", .int(snapshotAt)),
            ("watermark", .int(watermark)),
            ("inactivity_timeout_ms", .int(inactivityTimeoutMs)),
            ("settings", settings),
            ("positions", positions),
            ("health", health),
            ("dead_letter", .text(deadLetter)),
        ]
        if let deadLetterID { fields.append(("dead_letter_id", .string(deadLetterID))) }
        if deadLetterLegacyThrough > 0 { fields.append(("dead_letter_legacy_through", .int(deadLetterLegacyThrough))) }
        if let spoolID { fields.append(("spool_id", .string(spoolID))) }
        fields += [
            ("summary", summary),
            ("tools", tools),
            ("models", models),
            ("errors", errors ?? .array([])),
            ("sessions_db", .string(SnapshotDirectory.databaseName)),
            ("state", .string(stateFile)),
            ("state_bytes", .int(stateBytes)),
            ("state_crc32", .int(stateCRC32)),
        ]
        return .object(fields)
    }

    /// One top-level field a line, nested values compact.
    func encoded() -> [UInt8] {
        guard case .object(let fields) = value else { return [] }
        var json = JSONBytes()
        json.append("{\n")
        for (index, field) in fields.enumerated() {
            json.append("  ")
            json.appendString(field.key)
            json.append(": ")
            json.append(field.value)
            json.append(index == fields.count - 1 ? "\n" : ",\n")
        }
        json.append("}\n")
        return json.bytes
    }

    /// Reads and checks a manifest; any defect is `.corrupt` with the path.
    static func read(path: String) throws(SnapshotError) -> Manifest {
        func corrupt(_ why: String) -> SnapshotError {
            SnapshotError(code: .corrupt, message: "damaged snapshot manifest \(path): \(why)", path: path)
        }
        let bytes: [UInt8]
        do {
            bytes = try FileOperations.readFile(path, followSymlinks: false, maxBytes: maxBytes)
        } catch where [ELOOP, EINVAL, EFBIG, ENXIO].contains(error.errno) {
            // A symlink, a FIFO, a socket (ENXIO) or a file too large is no manifest Tally wrote:
            // damaged, like bad JSON.
            throw corrupt(error.errno == ELOOP ? "a symlink" : error.errno == EFBIG ? "larger than \(maxBytes) bytes" : "not a regular file")
        } catch {
            throw SnapshotError(error)
        }
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch { throw corrupt(error.description) }
        guard value["format"]?.stringValue == format else { throw corrupt("not a tally-snapshot manifest") }
        guard let found = value["version"]?.int64Value, found >= 1 else { throw corrupt("no format version") }
        guard found <= version else {
            throw SnapshotError(
                code: .newerFormat,
                message: "snapshot manifest \(path) has format version \(found), and this build reads version \(version): "
                    + "it was written by a newer Tally; run that version (nothing was changed or deleted)",
                path: path)
        }
        guard let generation = value["generation"]?.int64Value, generation > 0,
              let snapshotAt = value["snapshot_at_ms"]?.int64Value,
              let timeout = value["inactivity_timeout_ms"]?.int64Value,
              let watermarkValue = value["watermark"], watermarkValue.isNull || watermarkValue.int64Value != nil,
              let settings = value["settings"], let positions = value["positions"], let health = value["health"],
              let summary = value["summary"], case .object = summary,
              let tools = value["tools"], case .array = tools,
              let models = value["models"], case .array = models,
              let stateFile = value["state"]?.stringValue, stateFile == SnapshotDirectory.stateName(generation: generation),
              let stateBytes = value["state_bytes"]?.int64Value, let crc = value["state_crc32"]?.int64Value
        else { throw corrupt("a field is missing or has the wrong type") }
        let deadLetter = value["dead_letter"]?.stringValue
        let deadLetterID = value["dead_letter_id"]?.stringValue
        if let deadLetterID, !SnapshotDirectory.isIdentity(deadLetterID) { throw corrupt("dead_letter_id is not an identity") }
        let spoolID = value["spool_id"]?.stringValue
        var errors: JSONValue?
        if let value = value["errors"] {
            guard case .array = value else { throw corrupt("errors is not an array") }
            errors = value
        }
        return Manifest(
            generation: generation, snapshotAt: snapshotAt, watermark: watermarkValue.int64Value,
            inactivityTimeoutMs: timeout, settings: settings, positions: positions, health: health,
            deadLetter: deadLetter, deadLetterID: deadLetterID,
            deadLetterLegacyThrough: value["dead_letter_legacy_through"]?.int64Value ?? 0, spoolID: spoolID,
            summary: summary, tools: tools, models: models, errors: errors, stateFile: stateFile,
            stateBytes: stateBytes, stateCRC32: crc)
    }

    /// Reads the state file and checks its size and checksum against the manifest.
    func readState(directory: String) throws(SnapshotError) -> [UInt8] {
        let path = FileOperations.join(directory, stateFile)
        // A missing state file makes the snapshot unusable, like a damaged one: an older one is used.
        guard FileOperations.exists(path) else {
            throw SnapshotError(code: .corrupt, message: "snapshot state \(path) is missing", path: path)
        }
        let bytes = try io { try FileOperations.readFile(path, followSymlinks: false, maxBytes: Int(clamping: stateBytes)) }
        guard Int64(bytes.count) == stateBytes, Int64(CRC32.checksum(bytes)) == stateCRC32 else {
            throw SnapshotError(code: .corrupt, message: "damaged snapshot state \(path): size or checksum differs from its manifest", path: path)
        }
        return bytes
    }
}
