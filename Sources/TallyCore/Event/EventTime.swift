/// Event times as the contract writes them, for the tools around the fold: one parser for
/// `tally query --since`, `tally generate --start` and the decoder alike.
///
/// ```swift
/// EventTime.parse("2025-10-23T16:30:00.123+02:00")   // 1_761_229_800_123
/// EventTime.parse("1761229800123")                   // the same, as epoch milliseconds
/// ```
public enum EventTime {
    /// RFC 3339 with an offset (fraction optional, truncated to milliseconds) or integer epoch
    /// milliseconds, exactly as `ts` is accepted in events; `nil` for anything else.
    public static func parse(_ text: String) -> Int64? {
        if let milliseconds = Int64(text) { return milliseconds }
        var text = text
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return nil }
            return Timestamp.epochMilliseconds(rfc3339: base, count: bytes.count)
        }
    }

    /// A date `YYYY-MM-DD` (midnight UTC) or an RFC 3339 time with an offset, as a dated price's
    /// `from` is written (pipeline.md); `nil` for anything else.
    public static func epochMilliseconds(dateOrRFC3339 text: String) -> Int64? {
        let bytes = Array(text.utf8)
        let isDate = bytes.count == 10 && bytes[4] == UInt8(ascii: "-") && bytes[7] == UInt8(ascii: "-")
        var full = isDate ? text + "T00:00:00Z" : text
        return full.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return nil }
            return Timestamp.epochMilliseconds(rfc3339: base, count: bytes.count)
        }
    }
}
