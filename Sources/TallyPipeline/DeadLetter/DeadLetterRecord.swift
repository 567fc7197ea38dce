import TallyCore

/// One dead-lettered line as it is written to the dead-letter directory: one JSON
/// object per line with `source`, `offset`, `reason` and `line` (what
/// `tally query invalid` prints).
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

    /// Appends the record as one NDJSON line to `output`.
    static func append(
        source: String, offset: Int64, lineOffset: Int64?, reason: InvalidReason,
        line: UnsafeRawBufferPointer, to output: inout [UInt8]
    ) {
        var cut = min(line.count, maximumLineBytes)
        let truncated = cut < line.count
        let validUTF8 = reason != .invalidUTF8
        if validUTF8 {
            // Back up to the start of a UTF-8 sequence so the cut keeps the text valid.
            while cut > 0, cut < line.count, line[cut] & 0xC0 == 0x80 { cut -= 1 }
        }
        let kept = UnsafeRawBufferPointer(rebasing: line[0..<cut])
        output.append(contentsOf: #"{"source":"#.utf8)
        JSONText.appendString(source, to: &output)
        output.append(contentsOf: #","offset":"#.utf8)
        output.append(contentsOf: String(offset).utf8)
        if let lineOffset {
            output.append(contentsOf: #","line_offset":"#.utf8)
            output.append(contentsOf: String(lineOffset).utf8)
        }
        output.append(contentsOf: #","reason":"#.utf8)
        JSONText.appendString(reason.rawValue, to: &output)
        output.append(contentsOf: #","line":"#.utf8)
        JSONText.appendString(String(decoding: kept, as: UTF8.self), to: &output)
        if !validUTF8 {
            output.append(contentsOf: #","line_base64":""#.utf8)
            Base64.append(kept, to: &output)
            output.append(UInt8(ascii: "\""))
        }
        if truncated {
            output.append(contentsOf: #","truncated":true"#.utf8)
        }
        output.append(contentsOf: "}\n".utf8)
    }
}

/// Minimal JSON text helpers for the records Tally writes itself.
enum JSONText {
    static func appendString(_ string: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): output.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "\n"): output.append(contentsOf: #"\n"#.utf8)
            case UInt8(ascii: "\r"): output.append(contentsOf: #"\r"#.utf8)
            case UInt8(ascii: "\t"): output.append(contentsOf: #"\t"#.utf8)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                output.append(contentsOf: #"\u00"#.utf8)
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0xF)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}

enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func append(_ bytes: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        var index = 0
        while index + 3 <= bytes.count {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            for shift in stride(from: 18, through: 0, by: -6) { output.append(alphabet[Int(value >> UInt32(shift) & 63)]) }
            index += 3
        }
        let rest = bytes.count - index
        if rest > 0 {
            var value = UInt32(bytes[index]) << 16
            if rest == 2 { value |= UInt32(bytes[index + 1]) << 8 }
            output.append(alphabet[Int(value >> 18 & 63)])
            output.append(alphabet[Int(value >> 12 & 63)])
            output.append(rest == 2 ? alphabet[Int(value >> 6 & 63)] : UInt8(ascii: "="))
            output.append(UInt8(ascii: "="))
        }
    }
}
