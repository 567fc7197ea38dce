import TallyCore

/// One dead-lettered line as it is written to the dead-letter directory: one JSON
/// object per line with `source`, `offset`, `reason`, (1.1) `field` and `detail`, and `line`
/// (what `tally query invalid` prints).
///
/// `line` holds at most ``maximumLineBytes`` of the raw line (cut on a UTF-8
/// boundary, `truncated` says so). A line that is not valid UTF-8 is shown with
/// U+FFFD in `line` and kept byte-exact, base64-encoded, in `line_base64`.
struct DeadLetterRecord {
    static let maximumLineBytes = 4096

    /// The file the line came from.
    var source: String
    /// Byte offset in `source` of the line, or of the zstd frame that holds it.
    var offset: Int64
    /// Offset of the line inside the frame's decompressed bytes (zstd input only).
    var lineOffset: Int64?
    var reason: InvalidReason

    /// Appends the record as one NDJSON line to `output`. `isCut`: `line` is only the start of
    /// a longer line (one streamed past `max_line_bytes`, see `LineAssembler`).
    static func append(
        source: String, offset: Int64, lineOffset: Int64?, invalid: InvalidLine,
        line: UnsafeRawBufferPointer, isCut: Bool = false, to output: inout [UInt8]
    ) {
        let reason = invalid.reason
        var cut = min(line.count, maximumLineBytes)
        let truncated = isCut || cut < line.count
        let validUTF8 = reason != .invalidUTF8
        if validUTF8 {
            // Back up to the start of a UTF-8 sequence so the cut keeps the text valid.
            while cut > 0, cut < line.count, line[cut] & 0xC0 == 0x80 { cut -= 1 }
        }
        let kept = UnsafeRawBufferPointer(rebasing: line[0..<cut])
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
            json.appendString(reason.rawValue)
            json.append(#","field":"#)
            if let field = invalid.field { json.appendString(field) } else { json.append("null") }
            json.append(#","detail":"#)
            json.appendString(invalid.detail)
            json.append(#","line":"#)
            json.appendString(String(decoding: kept, as: UTF8.self))
            if !validUTF8 {
                json.append(#","line_base64":"#)
                json.appendString(Base64.encoded(kept))
            }
            if truncated {
                json.append(#","truncated":true"#)
            }
            json.append("}\n")
        }
    }
}
