/// What a scanned value is; strings, objects and arrays are kept as byte ranges.
enum ValueKind: UInt8 {
    case absent, null, boolean, integer, number, string, object, array
}

/// Where a value lies in the line: `start..<end` is its JSON text (quotes included
/// for strings); `shrink` is how many bytes unescaping a string removes. Offsets
/// are 32-bit (the decoder refuses longer lines) so a span takes 16 bytes.
struct ValueSpan {
    private var storedStart: UInt32
    private var storedEnd: UInt32
    private var storedShrink: UInt32
    var kind: ValueKind

    init(start: Int, end: Int, kind: ValueKind, shrink: Int) {
        storedStart = UInt32(truncatingIfNeeded: start)
        storedEnd = UInt32(truncatingIfNeeded: end)
        storedShrink = UInt32(truncatingIfNeeded: shrink)
        self.kind = kind
    }

    static let absent = ValueSpan(start: 0, end: 0, kind: .absent, shrink: 0)

    var start: Int { Int(storedStart) }
    var end: Int { Int(storedEnd) }
    var shrink: Int { Int(storedShrink) }
    /// `null` is the same as absent.
    var isPresent: Bool { kind != .absent && kind != .null }
    /// Byte length of a string's text after unescaping.
    var unescapedCount: Int { end - start - 2 - shrink }
}
