import TallyCore

/// One dead-lettered line, as a line of a dead-letter file (see ``SnapshotDirectory/DeadLetters``):
/// one JSON object with `source`, `offset`, (zstd input) `line_offset`, `reason`, (1.1) `field`
/// and `detail`, `line`, and when they apply `line_base64` and `truncated`. The one writer and
/// reader of that format.
///
/// ```swift
/// let record = DeadLetterRecord(source: path, offset: 0, lineOffset: nil, invalid: invalid, line: raw)
/// record.append(to: &output)                        // {"source":…,"line":…}\n
/// DeadLetterRecord(parsing: Array(text.utf8))?.reason
/// ```
///
/// `line` holds at most ``maximumLineBytes`` of the raw line (cut on a UTF-8 boundary,
/// `truncated` says so). A line that is not valid UTF-8 is shown with U+FFFD in `line` and kept
/// byte-exact, base64-encoded, in `line_base64`.
package struct DeadLetterRecord: Hashable, Sendable {
    package static let maximumLineBytes = 4096

    /// The file the line came from.
    package var source: String
    /// Byte offset in `source` of the line, or of the zstd frame that holds it.
    package var offset: Int64
    /// Offset of the line inside the frame's decompressed bytes (zstd input only).
    package var lineOffset: Int64?
    /// An ``InvalidReason`` raw value (read as written, so a newer build's reason is kept).
    package var reason: String
    /// The JSON key at fault, `nil` when the reason is not about one field.
    package var field: String?
    /// `nil` in records written before 1.1.
    package var detail: String?
    /// The kept start of the raw line as text.
    package var line: String
    /// The kept bytes, base64-encoded, for a line that is not valid UTF-8.
    package var lineBase64: String?
    /// Whether `line` is only the start of the raw line.
    package var truncated: Bool

    /// The record of a line the decoder rejected as `invalid`. `isCut`: `line` is only the start
    /// of a longer line (one streamed past `max_line_bytes`, see TallySpool's `LineAssembler`).
    package init(
        source: String, offset: Int64, lineOffset: Int64?, invalid: InvalidLine, line: UnsafeRawBufferPointer,
        isCut: Bool = false
    ) {
        var cut = min(line.count, Self.maximumLineBytes)
        let validUTF8 = invalid.reason != .invalidUTF8
        if validUTF8 {
            // Back up to the start of a UTF-8 sequence so the cut keeps the text valid.
            while cut > 0, cut < line.count, line[cut] & 0xC0 == 0x80 { cut -= 1 }
        }
        let kept = UnsafeRawBufferPointer(rebasing: line[0..<cut])
        self.source = source
        self.offset = offset
        self.lineOffset = lineOffset
        reason = invalid.reason.rawValue
        field = invalid.field
        detail = invalid.detail
        self.line = String(decoding: kept, as: UTF8.self)
        lineBase64 = validUTF8 ? nil : Base64.encoded(kept)
        truncated = isCut || cut < line.count
    }

    /// Reads one line of a dead-letter file; `nil` for a line that is not such a record.
    init?(parsing text: [UInt8]) {
        guard let value = try? JSONParser.parse(text), case .object = value,
              let source = value["source"]?.stringValue, let offset = value["offset"]?.int64Value,
              let reason = value["reason"]?.stringValue, let line = value["line"]?.stringValue,
              let lineOffset = Self.optional(value["line_offset"], \.int64Value),
              let field = Self.optional(value["field"], \.stringValue),
              let detail = Self.optional(value["detail"], \.stringValue),
              let lineBase64 = Self.optional(value["line_base64"], \.stringValue)
        else { return nil }
        self.source = source
        self.offset = offset
        self.lineOffset = lineOffset
        self.reason = reason
        self.field = field
        self.detail = detail
        self.line = line
        self.lineBase64 = lineBase64
        truncated = value["truncated"] == .bool(true)
    }

    /// `.some(nil)` for a missing or `null` value, `nil` for one of another kind.
    private static func optional<T>(_ value: JSONValue?, _ read: (JSONValue) -> T?) -> T?? {
        guard let value, !value.isNull else { return .some(nil) }
        return read(value).map { .some($0) }
    }

    /// Appends the record as one NDJSON line to `output`.
    package func append(to output: inout [UInt8]) {
        JSONBytes.appending(to: &output) { json in
            json.append(#"{"source":"#)
            json.appendString(source)
            json.append(#","offset":"#)
            json.appendInteger(offset)
            if let lineOffset {
                json.append(#","line_offset":"#)
                json.appendInteger(lineOffset)
            }
            json.append(#","reason":"#)
            json.appendString(reason)
            json.append(#","field":"#)
            if let field { json.appendString(field) } else { json.append("null") }
            json.append(#","detail":"#)
            if let detail { json.appendString(detail) } else { json.append("null") }
            json.append(#","line":"#)
            json.appendString(line)
            if let lineBase64 {
                json.append(#","line_base64":"#)
                json.appendString(lineBase64)
            }
            if truncated {
                json.append(#","truncated":true"#)
            }
            json.append("}\n")
        }
    }

    /// The keys `tally query invalid` prints, in order.
    static let listedKeys = ["source", "offset", "reason", "field", "detail", "line"]

    /// The values of ``listedKeys``.
    var listedValues: [JSONValue] {
        [.string(source), .int(offset), .string(reason), .text(field), .text(detail), .string(line)]
    }
}
