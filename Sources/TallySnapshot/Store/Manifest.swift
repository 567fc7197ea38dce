internal import TallyPosix
import TallyCore

/// The manifest `snapshot-<generation>.json`: the commit point of one snapshot. Small and
/// self-describing; per-session data lives in `sessions.db`, the fold's globals in the state file.
struct Manifest {
    static let format = "tally-snapshot"
    static let version: Int64 = 1

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

    static func name(generation: Int64) -> String { "snapshot-\(twelveDigits(generation)).json" }
    static func stateName(generation: Int64) -> String { "state-\(twelveDigits(generation)).bin" }
    static let databaseName = "sessions.db"

    private static func twelveDigits(_ generation: Int64) -> String {
        let digits = String(generation)
        return String(repeating: "0", count: max(0, 12 - digits.count)) + digits
    }

    /// The generation named by a manifest file name, `nil` for any other name.
    static func generation(fromName name: String) -> Int64? {
        generation(in: name, prefix: "snapshot-", suffix: ".json")
    }

    static func generation(fromStateName name: String) -> Int64? {
        generation(in: name, prefix: "state-", suffix: ".bin")
    }

    private static func generation(in name: String, prefix: String, suffix: String) -> Int64? {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
        let digits = name.dropFirst(prefix.count).dropLast(suffix.count)
        guard digits.count >= 12, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        return Int64(digits)
    }

    /// Manifests in `directory` by generation, oldest first.
    static func list(in directory: String) throws(SnapshotError) -> [(generation: Int64, name: String)] {
        try io { try Posix.listDirectory(directory) }.compactMap { name in generation(fromName: name).map { ($0, name) } }
            .sorted { $0.generation < $1.generation }
    }

    var value: JSONValue {
        .object([
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
            ("summary", summary),
            ("tools", tools),
            ("models", models),
            ("errors", errors ?? .array([])),
            ("sessions_db", .string(Manifest.databaseName)),
            ("state", .string(stateFile)),
            ("state_bytes", .int(stateBytes)),
            ("state_crc32", .int(stateCRC32)),
        ])
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
        let bytes = try io { try FileOperations.readFile(path) }
        func corrupt(_ why: String) -> SnapshotError {
            SnapshotError(code: .corrupt, message: "damaged snapshot manifest \(path): \(why)", path: path)
        }
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch { throw corrupt(error.description) }
        guard value["format"]?.stringValue == format else { throw corrupt("not a tally-snapshot manifest") }
        guard value["version"]?.int64Value == version else { throw corrupt("unsupported version") }
        guard let generation = value["generation"]?.int64Value, generation > 0,
              let snapshotAt = value["snapshot_at_ms"]?.int64Value,
              let timeout = value["inactivity_timeout_ms"]?.int64Value,
              let watermarkValue = value["watermark"], watermarkValue.isNull || watermarkValue.int64Value != nil,
              let settings = value["settings"], let positions = value["positions"], let health = value["health"],
              let summary = value["summary"], case .object = summary,
              let tools = value["tools"], case .array = tools,
              let models = value["models"], case .array = models,
              let stateFile = value["state"]?.stringValue, stateFile == stateName(generation: generation),
              let stateBytes = value["state_bytes"]?.int64Value, let crc = value["state_crc32"]?.int64Value
        else { throw corrupt("a field is missing or has the wrong type") }
        let deadLetter = value["dead_letter"]?.stringValue
        var errors: JSONValue?
        if let value = value["errors"] {
            guard case .array = value else { throw corrupt("errors is not an array") }
            errors = value
        }
        return Manifest(
            generation: generation, snapshotAt: snapshotAt, watermark: watermarkValue.int64Value,
            inactivityTimeoutMs: timeout, settings: settings, positions: positions, health: health,
            deadLetter: deadLetter, summary: summary, tools: tools, models: models, errors: errors, stateFile: stateFile,
            stateBytes: stateBytes, stateCRC32: crc)
    }

    /// Reads the state file and checks its size and checksum against the manifest.
    func readState(directory: String) throws(SnapshotError) -> [UInt8] {
        let path = FileOperations.join(directory, stateFile)
        // A missing state file makes the snapshot unusable, like a damaged one: an older one is used.
        guard FileOperations.exists(path) else {
            throw SnapshotError(code: .corrupt, message: "snapshot state \(path) is missing", path: path)
        }
        let bytes = try io { try FileOperations.readFile(path) }
        guard Int64(bytes.count) == stateBytes, Int64(CRC32.checksum(bytes)) == stateCRC32 else {
            throw SnapshotError(code: .corrupt, message: "damaged snapshot state \(path): size or checksum differs from its manifest", path: path)
        }
        return bytes
    }
}
