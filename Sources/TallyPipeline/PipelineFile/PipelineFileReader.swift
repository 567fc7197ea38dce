internal import TallyPosix
import TallyCore
import Yams

/// Walks a pipeline file's YAML nodes (Yams `compose`, so every key keeps its line) into
/// `PipelineSettings`, refusing anything pipeline.md does not name.
struct PipelineFileReader {
    /// The pipeline file as named by the caller, for messages.
    let file: String

    /// One `key: value` of a mapping.
    struct Entry {
        let name: String
        /// Dotted path from the root, as errors show it.
        let keyPath: String
        let line: Int?
        let value: Node
    }

    static let topLevelKeys = ["spool", "snapshots", "dead_letter", "segment", "snapshot", "limits", "sessions", "alerts", "pricing", "retention"]
    static let segmentKeys = ["max_bytes", "max_age", "compression_level", "fsync", "fsync_interval"]
    static let snapshotKeys = ["every", "keep"]
    static let limitsKeys = ["max_line_bytes", "error_groups"]
    static let sessionsKeys = ["inactivity_timeout", "max_session_duration", "dedup_window", "watermark_quorum", "evict_after"]
    static let alertsKeys = ["slow_response", "slow_tool", "access_burst"]
    static let priceKeys = ["input", "output", "cached_input", "cache_write"]
    static let datedPriceKeys = ["from"] + priceKeys
    static let errorGroupLimits: ClosedRange<Int> = 1...1_000_000
    static let retentionKeys = ["segments", "sessions"]
    static let compressionLevels: ClosedRange<Int> = 1...19
    static let watermarkQuorums: ClosedRange<Int> = 1...1024

    static func read(path: String) throws(PipelineFileError) -> String {
        // Anything that cannot be stat'ed (missing, a broken link, a parent without search permission) is not there.
        guard let status = (try? Posix.stat(path)) ?? nil else {
            throw PipelineFileError(code: .notFound, file: path, line: nil, key: nil, message: "no such pipeline file")
        }
        guard !status.isDirectory else {
            throw PipelineFileError(code: .isDirectory, file: path, line: nil, key: nil, message: "is a directory, not a pipeline file")
        }
        guard let bytes = try? FileOperations.readFile(path, maxBytes: 1 << 20) else {
            throw PipelineFileError(code: .io, file: path, line: nil, key: nil, message: "cannot read the pipeline file")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw PipelineFileError(code: .notUTF8, file: path, line: nil, key: nil, message: "the pipeline file is not UTF-8 text")
        }
        return text
    }

    func settings(from yaml: String) throws(PipelineFileError) -> PipelineSettings {
        let absoluteFile = PipelinePath.absolute(file)
        let folder = PipelinePath.directory(of: absoluteFile)
        var settings = PipelineSettings.defaults(relativeTo: folder)
        settings.file = absoluteFile

        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw yamlFault(error, yaml: yaml)
        }
        guard let root, let top = try entries(of: root, keyPath: nil, line: root.mark?.line) else { return settings }

        for entry in top {
            switch entry.name {
            case "spool":
                if let path = try path(entry) { settings.spool = PipelinePath.resolve(path, against: folder) }
            case "snapshots":
                if let path = try path(entry) { settings.snapshots = PipelinePath.resolve(path, against: folder) }
            case "dead_letter":
                if let path = try path(entry) { settings.deadLetter = PipelinePath.resolve(path, against: folder) }
            case "segment":
                for item in try section(entry) {
                    switch item.name {
                    case "max_bytes":
                        if let value = try size(item) { settings.segment.maxBytes = value }
                    case "max_age":
                        if let value = try duration(item) { settings.segment.maxAgeMs = value }
                    case "compression_level":
                        if let value = try integer(item) {
                            guard Self.compressionLevels.contains(value) else {
                                throw fault(item, "\(value) is out of range (zstd levels 1…19)")
                            }
                            settings.segment.compressionLevel = Int32(value)
                        }
                    case "fsync":
                        if let text = try scalarText(item) {
                            guard let mode = FsyncMode(rawValue: text) else {
                                throw fault(item, "\(PipelineValues.quoted(text)) is not one of always, interval, never")
                            }
                            settings.segment.fsync = mode
                        }
                    case "fsync_interval":
                        if let value = try duration(item) { settings.segment.fsyncIntervalMs = value }
                    default:
                        throw unknown(item, expected: Self.segmentKeys)
                    }
                }
            case "snapshot":
                for item in try section(entry) {
                    switch item.name {
                    case "every":
                        if let value = try duration(item) { settings.snapshot.everyMs = value }
                    case "keep":
                        if let value = try integer(item) {
                            guard value >= 1 else { throw fault(item, "\(value) is out of range (1 or more)") }
                            settings.snapshot.keep = value
                        }
                    default:
                        throw unknown(item, expected: Self.snapshotKeys)
                    }
                }
            case "limits":
                for item in try section(entry) {
                    switch item.name {
                    case "max_line_bytes":
                        if let value = try size(item) {
                            guard PipelineSettings.maxLineBytesRange.contains(value) else {
                                throw fault(item, "\(value) is out of range (1 B…256 MiB)")
                            }
                            settings.fold.maxLineBytes = value
                        }
                    case "error_groups":
                        if let value = try integer(item) {
                            guard Self.errorGroupLimits.contains(value) else {
                                throw fault(item, "\(value) is out of range (1…1000000 groups)")
                            }
                            settings.fold.errorGroupLimit = value
                        }
                    default:
                        throw unknown(item, expected: Self.limitsKeys)
                    }
                }
            case "sessions":
                for item in try section(entry) {
                    switch item.name {
                    case "inactivity_timeout":
                        if let value = try duration(item) { settings.fold.inactivityTimeoutMs = value }
                    case "max_session_duration":
                        if let value = try duration(item) { settings.fold.maxSessionDurationMs = value }
                    case "dedup_window":
                        if let value = try duration(item, allowZero: true) { settings.fold.dedupWindowMs = value }
                    case "evict_after":
                        if try scalarText(item) == "never" {
                            settings.evictAfterMs = nil
                        } else if let value = try duration(item, allowZero: true) {
                            settings.evictAfterMs = value
                        }
                    case "watermark_quorum":
                        if let value = try integer(item) {
                            guard Self.watermarkQuorums.contains(value) else {
                                throw fault(item, "\(value) is out of range (1…1024 events)")
                            }
                            settings.fold.watermarkQuorum = value
                        }
                    default:
                        throw unknown(item, expected: Self.sessionsKeys)
                    }
                }
            case "alerts":
                for item in try section(entry) {
                    switch item.name {
                    case "slow_response":
                        if let value = try duration(item) { settings.fold.slowResponseMs = value }
                    case "slow_tool":
                        if let value = try duration(item) { settings.fold.slowToolMs = value }
                    case "access_burst":
                        if let value = try integer(item) {
                            guard value >= 0 else { throw fault(item, "\(value) is out of range (0 or more)") }
                            settings.fold.accessBurst = Int64(value)
                        }
                    default:
                        throw unknown(item, expected: Self.alertsKeys)
                    }
                }
            case "pricing":
                for model in try section(entry) {
                    settings.fold.pricing[model.name] = try prices(model)
                }
            case "retention":
                for item in try section(entry) {
                    switch item.name {
                    case "segments":
                        if let value = try duration(item) { settings.retentionSegmentsMs = value }
                    case "sessions":
                        if let value = try duration(item) { settings.fold.sessionRetentionMs = value }
                    default:
                        throw unknown(item, expected: Self.retentionKeys)
                    }
                }
            default:
                throw unknown(entry, expected: Self.topLevelKeys)
            }
        }
        return settings
    }

    // MARK: - Structure

    /// The entries of a mapping node; `nil` for an empty (null) value.
    func entries(of node: Node, keyPath: String?, line: Int?) throws(PipelineFileError) -> [Entry]? {
        if Self.isNull(node) { return nil }
        guard case .mapping(let mapping) = node else {
            let message = keyPath == nil
                ? "the pipeline file must be a mapping of keys, not \(Self.describe(node))"
                : "expected a mapping of keys, found \(Self.describe(node))"
            throw PipelineFileError(code: .wrongType, file: file, line: line ?? node.mark?.line, key: keyPath, message: message)
        }
        var result: [Entry] = []
        for (key, value) in mapping {
            let line = key.mark?.line
            guard case .scalar(let scalar) = key, !scalar.string.isEmpty else {
                throw PipelineFileError(code: .wrongType, file: file, line: line, key: keyPath, message: "keys must be plain names, found \(Self.describe(key))")
            }
            let name = scalar.string
            result.append(Entry(name: name, keyPath: keyPath.map { "\($0).\(name)" } ?? name, line: line, value: value))
        }
        return result
    }

    /// The entries of a section such as `segment:`; none when it is empty.
    func section(_ entry: Entry) throws(PipelineFileError) -> [Entry] {
        try entries(of: entry.value, keyPath: entry.keyPath, line: entry.line) ?? []
    }

    /// A model's prices: one mapping, or (1.1) a list of mappings with `from`, strictly increasing.
    func prices(_ model: Entry) throws(PipelineFileError) -> [ModelPrice] {
        guard case .sequence(let sequence) = model.value else { return [try price(model, dated: false)] }
        var prices: [ModelPrice] = []
        for (index, node) in sequence.enumerated() {
            let entry = Entry(name: model.name, keyPath: "\(model.keyPath)[\(index)]", line: node.mark?.line ?? model.line, value: node)
            let price = try price(entry, dated: true)
            if let previous = prices.last?.from, let from = price.from, from <= previous {
                throw fault(entry, from == previous
                    ? "two entries start at the same from"
                    : "entries must be in order of from (this one starts before the one above)")
            }
            prices.append(price)
        }
        guard !prices.isEmpty else { throw fault(model, .missingKey, "an empty list of prices") }
        return prices
    }

    func price(_ model: Entry, dated: Bool) throws(PipelineFileError) -> ModelPrice {
        var input: Int64?
        var output: Int64?
        var cachedInput: Int64?
        var cacheWrite: Int64?
        var from: Int64?
        for item in try section(model) {
            switch item.name {
            case "input": input = try pricePicos(item)
            case "output": output = try pricePicos(item)
            case "cached_input": cachedInput = try pricePicos(item)
            case "cache_write": cacheWrite = try pricePicos(item)
            case "from" where dated: from = try priceStart(item)
            default: throw unknown(item, expected: dated ? Self.datedPriceKeys : Self.priceKeys)
            }
        }
        if dated, from == nil { throw fault(model, .missingKey, "missing from (a date or an RFC 3339 time)") }
        guard let input, let output else {
            let missing = [input == nil ? "input" : nil, output == nil ? "output" : nil].compactMap { $0 }
            throw fault(model, .missingKey, "missing \(missing.joined(separator: " and ")) (USD per million tokens)")
        }
        return ModelPrice(
            inputPicosPerToken: input, outputPicosPerToken: output, cachedInputPicosPerToken: cachedInput,
            cacheWritePicosPerToken: cacheWrite, from: from)
    }

    // MARK: - Values

    /// The scalar's text; `nil` for an empty (null) value.
    func scalar(_ entry: Entry) throws(PipelineFileError) -> Node.Scalar? {
        if Self.isNull(entry.value) { return nil }
        guard case .scalar(let scalar) = entry.value else {
            throw fault(entry, .wrongType, "expected a single value, found \(Self.describe(entry.value))")
        }
        return scalar
    }

    func scalarText(_ entry: Entry) throws(PipelineFileError) -> String? {
        try scalar(entry)?.string
    }

    func path(_ entry: Entry) throws(PipelineFileError) -> String? {
        guard let text = try scalarText(entry) else { return nil }
        return text
    }

    func size(_ entry: Entry) throws(PipelineFileError) -> Int? {
        guard let text = try scalarText(entry) else { return nil }
        let value: Int
        do { value = try PipelineValues.size(text) } catch { throw fault(entry, error.message) }
        guard value > 0 else { throw fault(entry, "\(PipelineValues.quoted(text)) must be more than 0 bytes") }
        return value
    }

    func duration(_ entry: Entry, allowZero: Bool = false) throws(PipelineFileError) -> Int64? {
        guard let text = try scalarText(entry) else { return nil }
        let value: Int64
        do { value = try PipelineValues.durationMs(text) } catch { throw fault(entry, error.message) }
        guard value > 0 || allowZero else { throw fault(entry, "\(PipelineValues.quoted(text)) must be longer than 0") }
        return value
    }

    /// A plain (unquoted) integer.
    func integer(_ entry: Entry) throws(PipelineFileError) -> Int? {
        guard let scalar = try scalar(entry) else { return nil }
        guard scalar.style == .plain else {
            throw fault(entry, .wrongType, "\(PipelineValues.quoted(scalar.string)) is a string, expected an integer")
        }
        do { return try PipelineValues.integer(scalar.string) } catch { throw fault(entry, error.message) }
    }

    /// A plain (unquoted) decimal number of USD per million tokens, as pico-dollars per token.
    func pricePicos(_ entry: Entry) throws(PipelineFileError) -> Int64? {
        guard let scalar = try scalar(entry) else { return nil }
        guard scalar.style == .plain else {
            throw fault(entry, .wrongType, "\(PipelineValues.quoted(scalar.string)) is a string, expected a number of USD per million tokens")
        }
        do { return try PipelineValues.pricePicos(scalar.string) } catch { throw fault(entry, error.message) }
    }

    /// `from` of a dated price: `YYYY-MM-DD` (midnight UTC) or an RFC 3339 time, as epoch milliseconds.
    func priceStart(_ entry: Entry) throws(PipelineFileError) -> Int64? {
        guard let text = try scalarText(entry) else { return nil }
        guard let value = EventTime.epochMilliseconds(dateOrRFC3339: text) else {
            throw fault(entry, "\(PipelineValues.quoted(text)) is neither a date (YYYY-MM-DD) nor an RFC 3339 time")
        }
        return value
    }

    // MARK: - Faults

    /// A value that does not parse or is out of range.
    func fault(_ entry: Entry, _ message: String) -> PipelineFileError {
        fault(entry, .invalidValue, message)
    }

    func fault(_ entry: Entry, _ code: PipelineFileError.Code, _ message: String) -> PipelineFileError {
        PipelineFileError(code: code, file: file, line: entry.line, key: entry.keyPath, message: message)
    }

    func unknown(_ entry: Entry, expected: [String]) -> PipelineFileError {
        fault(entry, .unknownKey, "unknown key (expected \(expected.joined(separator: ", ")))")
    }

    func yamlFault(_ error: any Error, yaml: String) -> PipelineFileError {
        switch error as? YamlError {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let detail = context.map { " \($0.text)" } ?? ""
            return PipelineFileError(code: .invalidYAML, file: file, line: mark.line, key: nil, message: "not valid YAML: \(problem)\(detail)")
        case .reader(let problem, let offset, _, _):
            let line = offset.map { offset in yaml.utf8.prefix(offset).reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 } }
            return PipelineFileError(code: .invalidYAML, file: file, line: line, key: nil, message: "not valid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let names = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            return PipelineFileError(code: .invalidYAML, file: file, line: context.mark.line, key: nil, message: "duplicate key \(names)")
        default:
            let text = String(describing: error).split(separator: "\n").first.map(String.init) ?? "unknown error"
            return PipelineFileError(code: .invalidYAML, file: file, line: nil, key: nil, message: "not valid YAML: \(text)")
        }
    }

    // MARK: - Node helpers

    static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .scalar(let scalar): PipelineValues.quoted(scalar.string)
        case .alias: "an alias"
        }
    }
}
